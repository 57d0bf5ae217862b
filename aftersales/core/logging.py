"""Personal data never reaches a log: e-mail addresses, phone numbers and ID card numbers are
masked, in the message and in an attached traceback alike."""

from __future__ import annotations

import logging
import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Resident ID cards (居民身份证): 18 characters (17 digits and a digit or X check character),
# and the old 15-digit cards. Masked before phones: an ID number contains a mobile-like run.
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
# Mainland mobile numbers, landlines with area code, and international formats.
_PHONE = re.compile(r"(?<!\d)(?:\+?\d{1,3}[ -]?)?(?:\(?0\d{2,3}\)?[ -]?)?\d{7,8}(?!\d)|(?<!\d)1[3-9]\d{9}(?!\d)")


def mask_personal_data(text: str) -> str:
    return _PHONE.sub("[phone]", _ID_CARD.sub("[id-card]", _EMAIL.sub("[email]", text)))


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_data(message)
        if masked != message:
            record.msg = masked
            record.args = None
        # An exception's text (an IntegrityError quoting a row, a ValidationError quoting input)
        # is printed after the message: format it once here, masked, so formatters reuse it.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_data(record.stack_info)
        return True
