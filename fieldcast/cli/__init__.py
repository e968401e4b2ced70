"""The command line of the whole project (`python -m fieldcast up`, `demo`): top layer, it may
import every app."""
