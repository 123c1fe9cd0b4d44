"""The advisory service's composition root: everything it is made of, wired once from the runtime's `Infra`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Annotated

from argon2 import PasswordHasher
from fastapi import Depends, Request

from koonto.advisory.domain.clock import Clock, SystemClock, helsinki_moment
from koonto.advisory.domain.schedule import ServiceLevel
from koonto.advisory.oidc import OidcClient
from koonto.advisory.settings import AdvisorySettings
from koonto.advisory.signing import Keyring, SigningKeys, load_signing_keys
from koonto.advisory.store import AdvisoryStore
from koonto.advisory.use_cases.auth import Authentication
from koonto.advisory.use_cases.calls import Calls
from koonto.advisory.use_cases.cases import Cases
from koonto.advisory.use_cases.common import Context
from koonto.advisory.use_cases.followups import Followups
from koonto.advisory.use_cases.partners import Partners
from koonto.advisory.use_cases.passwords import PasswordLinks
from koonto.advisory.use_cases.results import ProjectResults
from koonto.advisory.use_cases.scheduler import Scheduler
from koonto.advisory.use_cases.sessions import Sessions
from koonto.advisory.use_cases.slots import AdviceSlots
from koonto.advisory.use_cases.sso import SingleSignOn
from koonto.advisory.use_cases.staff import StaffAccounts
from koonto.advisory.use_cases.trainings import Trainings
from koonto.advisory.views import Views
from koonto.shared.runtime import Infra, OnInfra
from koonto.shared.web import get_container

if TYPE_CHECKING:
    from koonto.shared.pages import Pages


@dataclass
class AdvisoryContainer(OnInfra):
    settings: AdvisorySettings
    infra: Infra
    store: AdvisoryStore
    clock: Clock
    keyring: Keyring
    staff: StaffAccounts
    auth: Authentication
    passwords: PasswordLinks
    sso: SingleSignOn
    cases: Cases
    sessions: Sessions
    followups: Followups
    calls: Calls
    trainings: Trainings
    partners: Partners
    results: ProjectResults
    slots: AdviceSlots
    scheduler: Scheduler
    views: Views
    pages: Pages | None = None  # set by the web layer's `configure_app`

    @property
    def keys(self) -> SigningKeys:
        return self.keyring.keys

    def use_keys(self, keys: SigningKeys) -> None:
        """After a rotation: sign with the new key, verify with both."""
        self.keyring.use(keys)


def make_clock(settings: AdvisorySettings) -> Clock:
    """The real time; in local mode shifted so that today is KOONTO_FAKE_TODAY (demos)."""
    offset = timedelta(0)
    if settings.fake_today is not None and settings.is_local:
        offset = helsinki_moment(settings.fake_today, 9) - helsinki_moment(date.today(), 9)
    return SystemClock(offset)


def make_keyring(settings: AdvisorySettings) -> Keyring:
    return Keyring(
        load_signing_keys(
            signing_key_pem=settings.staff_signing_key.get_secret_value() if settings.staff_signing_key else None,
            previous_key_pem=(
                settings.staff_previous_signing_key.get_secret_value() if settings.staff_previous_signing_key else None
            ),
            data_dir=settings.data_dir,
            allow_generate=settings.is_local,
        )
    )


def bootstrap(infra: Infra, settings: AdvisorySettings, clock: Clock | None = None) -> AdvisoryContainer:
    store = AdvisoryStore(infra.store, infra.regions)  # the runtime's Store: our writes and the relay's share its locks
    clock = clock or make_clock(settings)
    context = Context(
        settings=settings, events=infra, store=store, clock=clock,
        service_level=ServiceLevel(settings.first_contact_working_days),
    )
    hasher = PasswordHasher()
    keyring = make_keyring(settings)
    staff = StaffAccounts(context, hasher)
    partners = Partners(context)
    sessions = Sessions(context)
    results = ProjectResults(context)
    return AdvisoryContainer(
        settings=settings, infra=infra, store=store, clock=clock, keyring=keyring, staff=staff,
        auth=Authentication(context, hasher, keyring), passwords=PasswordLinks(context, hasher, staff),
        sso=SingleSignOn(context, staff, oidc_client(settings)),
        cases=Cases(context, partners, results), partners=partners, results=results,
        sessions=sessions, followups=Followups(context), calls=Calls(context),
        trainings=Trainings(context), slots=AdviceSlots(context, sessions), scheduler=Scheduler(context),
        views=Views(store),
    )


def oidc_client(settings: AdvisorySettings) -> OidcClient | None:
    """The identity provider's client when single sign-on is configured."""
    if not settings.sso_enabled:
        return None
    secret = settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else ""
    return OidcClient(settings.oidc_issuer, settings.oidc_client_id, secret, settings.oidc_scopes)


def container_of(request: Request) -> AdvisoryContainer:
    container: AdvisoryContainer = get_container(request)
    return container


Deps = Annotated[AdvisoryContainer, Depends(container_of)]
