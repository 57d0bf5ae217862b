"""The English catalogue: complete, placeholders kept, compiled without GNU gettext, and used
by the pages and the API when English is chosen. Chinese needs no catalogue: the message ids
are the Chinese texts."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from aftersales.cases.models import Case, Status
from aftersales.cases.tests.helpers import new_case_payload

CATALOGUE = Path(settings.BASE_DIR) / "aftersales" / "locale" / "en" / "LC_MESSAGES" / "django.po"
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
NAMED_PLACEHOLDER = re.compile(r"%\((\w+)\)")


@pytest.fixture
def english(tmp_path, settings):
    """The catalogue as it is in the tree, compiled into a private locale folder that Django
    then uses: no test depends on a .mo left over from an earlier build."""
    folder = tmp_path / "locale" / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(CATALOGUE, folder / "django.po")
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    call_command("compiletranslations", stdout=io.StringIO())
    return folder


def _entries() -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(CATALOGUE)) if not entry.obsolete]


def _translations(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def test_every_message_is_translated_and_none_is_fuzzy():
    # given
    catalogue = polib.pofile(str(CATALOGUE))
    # then
    assert len(catalogue) > 300
    assert not catalogue.metadata_is_fuzzy
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.obsolete_entries()] == []


def test_no_english_translation_contains_chinese():
    leaking = [(e.msgid, t) for e in _entries() for t in _translations(e) if CHINESE.search(t)]
    assert leaking == []


def test_every_placeholder_of_a_message_is_in_its_translation():
    dropped = []
    for entry in _entries():
        wanted = set(NAMED_PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        for text in _translations(entry):
            if not entry.msgid_plural and set(NAMED_PLACEHOLDER.findall(text)) != wanted:
                dropped.append((entry.msgid, text))
            elif entry.msgid_plural and not set(NAMED_PLACEHOLDER.findall(text)) <= wanted:
                dropped.append((entry.msgid, text))
    assert dropped == []


def test_compiling_writes_a_mo_file_that_gettext_reads(english):
    # then
    compiled = polib.mofile(str(english / "django.mo"))
    assert len(compiled) == len(_entries())
    assert compiled.find("工单队列").msgstr == "Case queue"


@pytest.mark.parametrize("problem", ["fuzzy", "untranslated"])
def test_compiling_refuses_a_fuzzy_or_untranslated_entry_and_writes_nothing(tmp_path, settings, problem):
    # given
    folder = tmp_path / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalogue = polib.pofile(str(CATALOGUE))
    entry = catalogue.find("工单队列")
    if problem == "fuzzy":
        entry.flags.append("fuzzy")
    else:
        entry.msgstr = ""
    catalogue.save(str(folder / "django.po"))
    settings.LOCALE_PATHS = [tmp_path]
    # when
    with pytest.raises(CommandError, match=f"{problem}: 工单队列"):
        call_command("compiletranslations", stdout=io.StringIO())
    # then
    assert not (folder / "django.mo").exists()


def test_key_strings_translate_to_english(english):
    with translation.override("en"):
        assert translation.gettext("工单队列") == "Case queue"
        assert translation.gettext("热线受理") == "Phone intake"
        assert str(Case._meta.verbose_name) == "Service case"
        assert str(Status.WAITING_ON_CUSTOMER.label) == "Waiting on customer"
    with translation.override("zh-hans"):
        assert translation.gettext("工单队列") == "工单队列"
        assert str(Status.WAITING_ON_CUSTOMER.label) == "等待客户"


@pytest.mark.django_db
def test_the_menu_is_english_with_the_language_cookie_and_chinese_without(english, agent):
    # given
    client = Client()
    client.force_login(agent)
    # when
    chinese = client.get("/console/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english_page = client.get("/console/").content.decode()
    # then
    assert '<html lang="zh-hans">' in chinese
    assert "工单队列" in chinese
    assert "热线受理" in chinese
    assert '<html lang="en">' in english_page
    assert "Case queue" in english_page
    assert "Phone intake" in english_page
    assert "Customer archive" in english_page
    assert CHINESE.findall(english_page.replace("简体中文", "")) == []  # the language button stays


@pytest.mark.django_db
def test_choosing_english_on_the_language_form_switches_the_pages(english, agent):
    # given
    client = Client()
    client.force_login(agent)
    # when
    client.post("/i18n/setlang/", {"language": "en", "next": "/console/"})
    page = client.get("/console/").content.decode()
    # then
    assert "Case queue" in page


@pytest.mark.django_db
def test_domain_errors_are_chinese_by_default_and_english_on_request(english, api, alice, acme):
    # given: a customer user may not choose the severity
    client = api(alice)
    payload = new_case_payload(acme, severity="P1")
    # when
    chinese = client.post("/api/v1/cases", payload)
    english_answer = client.post("/api/v1/cases", payload, headers={"Accept-Language": "en"})
    # then
    assert chinese.status_code == english_answer.status_code == 403
    assert chinese.json()["detail"] == "严重等级由服务团队决定"
    assert english_answer.json() == {
        "detail": "Severity is decided by the service team", "code": "permission_denied", "field": "severity",
    }
    assert Case.objects.count() == 0
