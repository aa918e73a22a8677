"""The outside of Tango Pass: the Falcon app, validation, errors and the command line."""
