class InputError(Exception):
    """Bad user input (a file, a flag, an action). The CLI prints the message and exits 2."""
