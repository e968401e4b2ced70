#!/usr/bin/env python
"""Django's command-line utility; `python -m fieldcast` does the same."""

from fieldcast.__main__ import main

if __name__ == "__main__":
    main()
