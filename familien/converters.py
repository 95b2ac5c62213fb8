"""The ``<id:pk>`` path converter: a record's number in an address.

Like Django's ``int``, but only numbers that fit the database's 64-bit ids. A larger
number is no address of ours (404); with ``int`` SQLite raised OverflowError on it, a 500.
"""

LARGEST_ID = 2**63 - 1


class RecordIdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value):
        number = int(value)
        if number > LARGEST_ID:
            raise ValueError("no record has this number")  # Django answers 404
        return number

    def to_url(self, value):
        return str(value)
