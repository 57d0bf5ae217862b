"""The message form of both chat pages (the customer's in the portal, the agent's in the
console); it only parses: emptiness and length are the service's rules (one message for the
pages and the API)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy


class ChatMessageForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("消息"), required=False, strip=False,
                           widget=forms.Textarea(attrs={"rows": 3, "autofocus": True}))
    client_id = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, label: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["body"].label = label
        if not self.is_bound:
            # A new id for every form shown: a retried submit of this one posts one message.
            self.initial["client_id"] = uuid.uuid4().hex
