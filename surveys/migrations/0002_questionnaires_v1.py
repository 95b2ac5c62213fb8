"""Version 1 of the six questionnaires (issue 6 item 1; DOMAIN.md §18–§26), published.

The content is frozen in data/questionnaires_v1.json beside this file. This migration reads
only that file and the historical models, never app code, so it loads the same rows
whatever the app later becomes. A later change to a questionnaire is a new version made in
the admin (surveys.versions), never an edit of these rows.
"""

import json
from pathlib import Path

from django.db import migrations
from django.utils import timezone

DATA = Path(__file__).resolve().parent / "data" / "questionnaires_v1.json"
VERSION = 1


def _content():
    with DATA.open(encoding="utf-8") as fh:
        return json.load(fh)


def load(apps, schema_editor):
    Questionnaire = apps.get_model("surveys", "Questionnaire")
    Question = apps.get_model("surveys", "Question")
    content = _content()
    shared = content["choice_sets"]
    now = timezone.now()
    for item in content["questionnaires"]:
        if Questionnaire.objects.filter(code=item["code"], version=VERSION).exists():
            continue
        questionnaire = Questionnaire.objects.create(
            code=item["code"],
            version=VERSION,
            respondent=item["respondent"],
            programme=item["programme"],
            title_da=item["title_da"],
            title_en=item["title_en"],
            intro_da=item["intro_da"],
            intro_en=item["intro_en"],
            published_at=now,
        )
        questions = []
        for position, question in enumerate(item["questions"], start=1):
            choices = question.get("choices", [])
            if isinstance(choices, str):
                choices = shared[choices]
            questions.append(
                Question(
                    questionnaire=questionnaire,
                    position=position,
                    code=question["code"],
                    kinds=question["kinds"],
                    text_da=question["text_da"],
                    text_en=question["text_en"],
                    answer_type=question["answer_type"],
                    choices=choices,
                    scale_min=question.get("scale_min"),
                    scale_max=question.get("scale_max"),
                    instrument=question.get("instrument", ""),
                    instrument_item=question.get("instrument_item"),
                )
            )
        Question.objects.bulk_create(questions)


def unload(apps, schema_editor):
    Questionnaire = apps.get_model("surveys", "Questionnaire")
    Question = apps.get_model("surveys", "Question")
    codes = [item["code"] for item in _content()["questionnaires"]]
    # Answers and invitations protect their questions and questionnaires: once the
    # questionnaires are in use, going back refuses rather than losing what was answered.
    Question.objects.filter(questionnaire__code__in=codes, questionnaire__version=VERSION).delete()
    Questionnaire.objects.filter(code__in=codes, version=VERSION).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
