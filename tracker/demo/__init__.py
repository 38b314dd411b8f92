"""The demo race: the INEOS 1:59 Challenge, Vienna, 12 October 2019, replayed live inside
the server (through the split path, or a fake RACE RESULT decoder).

May import: services, `transactions`, `replay`, the timing adapters.
"""
