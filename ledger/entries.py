"""The ledger's vocabulary: the contract's seven entry types and who writes an entry.

Every ledger entry has one of ``ENTRY_TYPES``; ``ENTRY_TYPE`` (in ``student.py``, next to
the events) maps each of the account's events to one. Every entry and every lesson event
names its actor: the ``student`` (through their link), the ``teacher`` or the ``system``
(expiry, promotion from the waitlist, the series horizon).
"""

PURCHASE, REGISTER, CANCEL, EXPIRE = "PURCHASE", "REGISTER", "CANCEL", "EXPIRE"
ADJUST, EXTEND, OLDEST = "ADJUST", "EXTEND", "OLDEST"
ENTRY_TYPES = (PURCHASE, REGISTER, CANCEL, EXPIRE, ADJUST, EXTEND, OLDEST)

STUDENT, TEACHER, SYSTEM = "student", "teacher", "system"
