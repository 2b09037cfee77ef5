"""Satisfaction surveys: after a visit is done, after an event and when a request is closed, the municipal staff who
took part answer two questions (overall satisfaction and usefulness, 1–5) and may leave a comment, for a week; a
coordinator may also ask every municipal member of the programme at the end of a fiscal year.

No feature calls reports (nothing imports it): beat runs `surveys_open_due` every quarter of an hour, which finds
what has happened since — visits marked done, events ended, requests closed — and opens their surveys once (a unique
row per subject), inviting those who took part and writing one e-mail per person (a unique outbox key), so a second
beat, a late run or a retry opens and writes nothing twice.

A request's survey is its answer rating: the requester who accepts an answer rates it (Consultation.satisfaction),
and such a request is never surveyed. Only a request closed without a rating (closed automatically, or by the
centre) is. The figures count each request once: its rating if it has one, otherwise its survey answer.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import scope
from accounts.enums import Role
from accounts.models import User
from consultations.enums import Status
from consultations.models import Consultation
from dxshare.fiscal import fiscal_year_of
from notifications.services import notification_schedule
from reports.models import SATISFIED_SCORES, Survey, SurveyAnswer, SurveyInvitation, SurveyKind
from visits.enums import EventStatus, RegistrationStatus, TripStatus
from visits.models import Event, Registration, Trip

SURVEY_INVITATION = "survey.invitation"
ANSWER_WINDOW = dt.timedelta(days=7)  # a visit's, event's or request's survey stays open a week
LOOKBACK = dt.timedelta(days=30)  # what happened longer ago than this is not surveyed any more
ATTENDANCE_GRACE = dt.timedelta(days=1)  # an event without attendance taken is surveyed (all registered) after this
SCALE = range(1, 6)
YEAR_END_LONGEST = dt.timedelta(days=92)


# --- Who took part ---------------------------------------------------------------------------------------------------


def _municipal(users):
    return users.filter(role=Role.MUNICIPAL, is_active=True)


def trip_invitees(trip: Trip):
    """A done visit's municipal participants."""
    return _municipal(trip.participants.all())


def event_invitees(event: Event):
    """An event's municipal staff who attended; everyone registered if attendance was not taken."""
    registrations = Registration.objects.filter(event=event, status=RegistrationStatus.REGISTERED)
    if registrations.filter(attended__isnull=False).exists():
        registrations = registrations.filter(attended=True)
    return _municipal(User.objects.filter(pk__in=registrations.values("user_id")))


def consultation_invitees(consultation: Consultation):
    """The requester, if municipal staff."""
    return _municipal(User.objects.filter(pk=consultation.requester_id))


# --- Opening surveys -------------------------------------------------------------------------------------------------


def _invitation_mail(survey: Survey, user: User) -> None:
    url = settings.SITE_URL + survey.get_absolute_url()
    with translation.override(user.language):
        context = {
            "survey": survey,
            "kind": survey.get_kind_display(),
            "url": url,
            "closes": date_format(timezone.localtime(survey.closes_at), "DATETIME_FORMAT"),
        }
        subject = _("[dxshare] A short survey: %(title)s") % {"title": survey.title}
        body = render_to_string("reports/surveys/invitation_body.txt", context)
    notification_schedule(
        recipient=user,
        kind=SURVEY_INVITATION,
        subject=subject,
        body=body,
        url=url,
        unique_key=f"{SURVEY_INVITATION}:{survey.pk}:{user.pk}",
    )


def _invite(survey: Survey, people) -> int:
    people = list(people)
    SurveyInvitation.objects.bulk_create(
        [SurveyInvitation(survey=survey, user=user, municipality_id=user.organisation_id) for user in people],
        ignore_conflicts=True,
    )
    for user in people:
        _invitation_mail(survey, user)
    return len(people)


def _open(*, subject_field: str, subject, kind: str, programme_id: int, fiscal_year: int, title: str, people, now):
    """Open the subject's survey once and invite `people`; None if somebody opened it first (or nobody took part)."""
    people = list(people)
    if not people:
        return None
    with transaction.atomic():
        survey, created = Survey.objects.get_or_create(
            **{subject_field: subject},
            defaults={
                "programme_id": programme_id,
                "kind": kind,
                "fiscal_year": fiscal_year,
                "title": title[:200],
                "opens_at": now,
                "closes_at": now + ANSWER_WINDOW,
            },
        )
        if not created:
            return None
        _invite(survey, people)
    return survey


def _no_survey(field: str) -> Exists:
    return ~Exists(Survey.objects.filter(**{field: OuterRef("pk")}))


def surveys_open_due(*, now: dt.datetime | None = None) -> int:
    """Every quarter of an hour (beat): open the surveys of the visits done, the events ended and the requests closed
    without a rating in the last LOOKBACK days that have none yet. Safe to run twice. Returns the surveys opened."""
    now = now or timezone.now()
    since = now - LOOKBACK
    opened = 0
    participants = Trip.participants.through.objects.filter(
        trip=OuterRef("pk"), user__role=Role.MUNICIPAL, user__is_active=True
    )
    trips = Trip.objects.filter(
        _no_survey("trip"), Exists(participants), status=TripStatus.DONE, starts_at__gte=since, starts_at__lte=now
    ).order_by("pk")
    for trip in trips:
        opened += bool(
            _open(
                subject_field="trip",
                subject=trip,
                kind=SurveyKind.VISIT,
                programme_id=trip.programme_id,
                fiscal_year=fiscal_year_of(trip.starts_at),
                title=trip.purpose,
                people=trip_invitees(trip),
                now=now,
            )
        )
    attendance_taken = Registration.objects.filter(event=OuterRef("pk"), attended__isnull=False)
    registered = Registration.objects.filter(
        event=OuterRef("pk"),
        status=RegistrationStatus.REGISTERED,
        user__role=Role.MUNICIPAL,
        user__is_active=True,
    )
    events = (
        Event.objects.filter(_no_survey("event"), Exists(registered), ends_at__gte=since, ends_at__lte=now)
        .filter(Exists(attendance_taken) | Q(ends_at__lte=now - ATTENDANCE_GRACE))
        .exclude(status=EventStatus.CANCELLED)
        .order_by("pk")
    )
    for event in events:
        opened += bool(
            _open(
                subject_field="event",
                subject=event,
                kind=SurveyKind.EVENT,
                programme_id=event.programme_id,
                fiscal_year=fiscal_year_of(event.starts_at),
                title=event.title,
                people=event_invitees(event),
                now=now,
            )
        )
    requests = Consultation.objects.filter(
        _no_survey("consultation"),
        status=Status.CLOSED,
        closed_at__gte=since,
        closed_at__lte=now,
        answered_at__isnull=False,  # a request withdrawn or closed without an answer is not surveyed
        satisfaction__isnull=True,  # the answer rating is the request's survey
        requester__role=Role.MUNICIPAL,
        requester__is_active=True,
    ).order_by("pk")
    for consultation in requests:
        opened += bool(
            _open(
                subject_field="consultation",
                subject=consultation,
                kind=SurveyKind.REQUEST,
                programme_id=consultation.programme_id,
                fiscal_year=consultation.fiscal_year or fiscal_year_of(consultation.closed_at),
                # A confidential request's title stays in the portal: survey mails name it by its reference only.
                title=consultation.reference
                if consultation.confidential
                else f"{consultation.reference} {consultation.title}".strip(),
                people=consultation_invitees(consultation),
                now=now,
            )
        )
    return opened


@transaction.atomic
def year_end_survey_open(
    *, programme, by, fiscal_year: int, closes_at: dt.datetime, title: str = "", now: dt.datetime | None = None
) -> Survey:
    """A coordinator asks every active municipal member of the programme about the fiscal year (once a year)."""
    now = now or timezone.now()
    if not scope.can_manage_programme(by, programme):
        raise PermissionDenied
    if Survey.objects.filter(programme=programme, kind=SurveyKind.YEAR_END, fiscal_year=fiscal_year).exists():
        raise ValidationError(
            {"fiscal_year": _("The year-end survey of FY%(year)s has been opened already.") % {"year": fiscal_year}}
        )
    if closes_at <= now + dt.timedelta(days=1):
        raise ValidationError({"closes_on": _("Choose a closing day at least one day ahead.")})
    if closes_at > now + YEAR_END_LONGEST:
        raise ValidationError({"closes_on": _("Choose a closing day within three months.")})
    people = list(_municipal(User.objects.filter(programme=programme)).order_by("pk"))
    if not people:
        raise ValidationError(_("The programme has no municipal staff to ask."))
    survey = Survey.objects.create(
        programme=programme,
        kind=SurveyKind.YEAR_END,
        fiscal_year=fiscal_year,
        title=(title.strip() or _("Year-end survey of FY%(year)s") % {"year": fiscal_year})[:200],
        opens_at=now,
        closes_at=closes_at,
        created_by=by,
    )
    _invite(survey, people)
    return survey


# --- Answering -------------------------------------------------------------------------------------------------------


def _score(value, field: str, message: str) -> int:
    try:
        score = int(value)
    except (TypeError, ValueError):
        score = 0
    if score not in SCALE:
        raise ValidationError({field: message})
    return score


@transaction.atomic
def answer_save(
    *,
    survey: Survey,
    user: User,
    overall,
    usefulness,
    comment: str = "",
    now: dt.datetime | None = None,
    new: bool = False,
) -> SurveyAnswer:
    """Save `user`'s answer, or change it while the survey is open. Refused, with nothing changed: someone who was
    not asked, a survey not open, a value outside 1–5, a request the person has rated already; and, with
    `new=True` (the person filled in an empty form), an answer given meanwhile (a second tab, a double submission)."""
    now = now or timezone.now()
    invitation = (
        SurveyInvitation.objects.select_for_update(of=("self",))
        .select_related("survey__consultation")
        .filter(survey_id=survey.pk, user_id=user.pk)
        .first()
    )
    if invitation is None:
        raise ValidationError(_("Only those who took part answer this survey."), code="not_invited")
    survey = invitation.survey
    if now < survey.opens_at:
        raise ValidationError(_("This survey is not open yet."), code="not_open")
    if now >= survey.closes_at:
        closed = date_format(timezone.localtime(survey.closes_at), "DATETIME_FORMAT")
        raise ValidationError(
            _("This survey closed on %(date)s: answers can no longer be given or changed.") % {"date": closed},
            code="closed",
        )
    if survey.kind == SurveyKind.REQUEST and survey.consultation.satisfaction is not None:
        raise ValidationError(
            _("You rated the answer to this request when you accepted it: that rating is your answer."),
            code="rated",
        )
    errors = {}
    scores = {}
    for field, value, message in (
        ("overall", overall, _("Choose your overall satisfaction from 1 to 5.")),
        ("usefulness", usefulness, _("Choose how useful it was from 1 to 5.")),
    ):
        try:
            scores[field] = _score(value, field, message)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    answer = SurveyAnswer.objects.filter(survey=survey, respondent=user).first()
    if answer is not None and new:
        raise ValidationError(
            _("You have answered this survey already. Your answer is shown: change it and save to update it."),
            code="answered",
        )
    if answer is None:
        return SurveyAnswer.objects.create(
            survey=survey, respondent=user, comment=comment.strip(), created_at=now, updated_at=now, **scores
        )
    answer.overall, answer.usefulness, answer.comment = scores["overall"], scores["usefulness"], comment.strip()
    answer.updated_at = now
    answer.save(update_fields=["overall", "usefulness", "comment", "updated_at"])
    return answer


# --- Reads ------------------------------------------------------------------------------------------------------------


def _rated_request() -> Q:
    """A request survey whose request has an answer rating: the rating counts, the survey does not."""
    return Q(kind=SurveyKind.REQUEST, consultation__satisfaction__isnull=False)


def surveys_open_for(user: User, *, now: dt.datetime | None = None, limit: int = 50) -> list[Survey]:
    """The surveys `user` was asked and may still answer, closing soonest first, each marked `answered`."""
    now = now or timezone.now()
    answered = SurveyAnswer.objects.filter(survey=OuterRef("pk"), respondent=user)
    return list(
        Survey.objects.filter(
            Exists(SurveyInvitation.objects.filter(survey=OuterRef("pk"), user=user)),
            opens_at__lte=now,
            closes_at__gt=now,
        )
        .exclude(_rated_request())
        .annotate(answered=Exists(answered))
        .select_related("trip__municipality", "event", "consultation")
        .order_by("closes_at", "pk")[:limit]
    )


def survey_for_respondent_or_404(user: User, pk: int) -> Survey:
    """A survey `user` was asked; anyone else (another municipality's staff, the centre) gets 404."""
    surveys = Survey.objects.filter(
        Exists(SurveyInvitation.objects.filter(survey=OuterRef("pk"), user_id=user.pk))
    ).select_related("trip__municipality", "event", "consultation", "programme")
    return get_object_or_404(surveys, pk=pk)


def answerable(survey: Survey, now: dt.datetime) -> bool:
    """Open, and not a request the person rated on accepting its answer (the rating is their answer)."""
    rated = survey.kind == SurveyKind.REQUEST and survey.consultation.satisfaction is not None
    return survey.is_open(now) and not rated


def answer_of(survey: Survey, user: User) -> SurveyAnswer | None:
    return SurveyAnswer.objects.filter(survey=survey, respondent=user).first()


def _count(model, **filters):
    """A correlated count of `model` rows of the outer survey (a subquery, so two counts do not multiply)."""
    rows = (
        model.objects.filter(survey=OuterRef("pk"), **filters)
        .order_by()
        .values("survey")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def surveys_with_rates(programme, fiscal_year: int):
    """The programme's surveys of a year, each with `invited`, `answered`, `satisfied` (overall 4–5) counted by the
    database; newest first (keyset paging on (-opens_at, -id), survey_programme_year_idx)."""
    return (
        Survey.objects.filter(programme=programme, fiscal_year=fiscal_year)
        .annotate(
            invited=_count(SurveyInvitation),
            answered=_count(SurveyAnswer),
            satisfied=_count(SurveyAnswer, overall__in=SATISFIED_SCORES),
        )
        .select_related("trip__municipality", "event", "consultation")
    )


def rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def survey_rates(survey: Survey) -> dict:
    """One survey's response rate and share of satisfied answers."""
    invited = SurveyInvitation.objects.filter(survey=survey).count()
    found = SurveyAnswer.objects.filter(survey=survey).aggregate(
        answered=Count("pk"),
        satisfied=Count("pk", filter=Q(overall__in=SATISFIED_SCORES)),
        usefulness=Avg("usefulness"),
    )
    return _row(survey.kind, invited, found["answered"], found["satisfied"], found["usefulness"])


def _row(kind: str, invited: int, answered: int, satisfied: int, usefulness: float | None) -> dict:
    return {
        "kind": kind,
        "invited": invited,
        "answered": answered,
        "satisfied": satisfied,
        "response_rate": rate(answered, invited),
        "percent": rate(satisfied, answered),
        "usefulness": None if usefulness is None else round(usefulness, 1),
    }


def _requests_row(programme, fiscal_year: int) -> dict:
    """Each request once: asked = closed after an answer (or rated); answered = rated on acceptance, or, without a
    rating, answered its survey; satisfied likewise (the rating wins)."""
    answers = SurveyAnswer.objects.filter(survey__kind=SurveyKind.REQUEST, survey__consultation=OuterRef("pk"))
    unrated = Q(satisfaction__isnull=True)
    found = (
        Consultation.objects.filter(programme=programme, fiscal_year=fiscal_year)
        .exclude(status=Status.DRAFT)
        .annotate(surveyed=Exists(answers), surveyed_satisfied=Exists(answers.filter(overall__in=SATISFIED_SCORES)))
        .aggregate(
            invited=Count(
                "pk", filter=Q(status=Status.CLOSED, answered_at__isnull=False) | Q(satisfaction__isnull=False)
            ),
            answered=Count("pk", filter=Q(satisfaction__isnull=False) | (unrated & Q(surveyed=True))),
            satisfied=Count("pk", filter=Q(satisfaction__in=SATISFIED_SCORES) | (unrated & Q(surveyed_satisfied=True))),
        )
    )
    usefulness = (
        SurveyAnswer.objects.filter(
            survey__programme=programme, survey__fiscal_year=fiscal_year, survey__kind=SurveyKind.REQUEST
        )
        .exclude(survey__consultation__satisfaction__isnull=False)
        .aggregate(mean=Avg("usefulness"))["mean"]
    )
    return _row(SurveyKind.REQUEST, found["invited"], found["answered"], found["satisfied"], usefulness)


def year_rates(programme, fiscal_year: int) -> dict:
    """The programme's survey results of a fiscal year, by kind and in all (for reports.figures): how many were
    asked, answered and satisfied (overall 4–5), the response rate and the share satisfied, the mean usefulness.
    A fixed number of aggregate queries, whatever the programme holds."""
    year = {"survey__programme": programme, "survey__fiscal_year": fiscal_year}
    others = [SurveyKind.VISIT, SurveyKind.EVENT, SurveyKind.YEAR_END]
    invited = dict(
        SurveyInvitation.objects.filter(**year, survey__kind__in=others)
        .values("survey__kind")
        .annotate(n=Count("pk"))
        .values_list("survey__kind", "n")
    )
    answered = {
        kind: (n, satisfied, usefulness)
        for kind, n, satisfied, usefulness in SurveyAnswer.objects.filter(**year, survey__kind__in=others)
        .values("survey__kind")
        .annotate(
            n=Count("pk"),
            satisfied=Count("pk", filter=Q(overall__in=SATISFIED_SCORES)),
            usefulness=Avg("usefulness"),
        )
        .values_list("survey__kind", "n", "satisfied", "usefulness")
    }
    rows = [_requests_row(programme, fiscal_year)]
    for kind in others:
        n, satisfied, usefulness = answered.get(kind, (0, 0, None))
        rows.append(_row(kind, invited.get(kind, 0), n, satisfied, usefulness))
    rows.sort(key=lambda row: [*SurveyKind.values].index(row["kind"]))
    total_invited = sum(row["invited"] for row in rows)
    total_answered = sum(row["answered"] for row in rows)
    total_satisfied = sum(row["satisfied"] for row in rows)
    return {
        "by_kind": rows,
        "total": {
            "kind": "",
            "invited": total_invited,
            "answered": total_answered,
            "satisfied": total_satisfied,
            "response_rate": rate(total_answered, total_invited),
            "percent": rate(total_satisfied, total_answered),
        },
    }
