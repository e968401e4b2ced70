"""Search over published videos, reporters and stories."""
