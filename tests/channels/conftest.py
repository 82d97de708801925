# The private Dovecot IMAP server and its fixtures (tests/channels/dovecot_server.py).
from .dovecot_server import dovecot, dovecot_server, imap_user, private_dovecot  # noqa: F401
