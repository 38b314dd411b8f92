"""The demo race: the INEOS 1:59 Challenge, Vienna, 12 October 2019, replayed live."""
