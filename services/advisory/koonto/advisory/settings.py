"""Settings of the advisory service (KOONTO_* environment variables)."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode

from koonto.shared.settings import ServiceSettings

# The local runner prints these (deploy/local/local.env). `.local` never delivers mail; staff-updated is not
# emitted for it, since the contract's EmailStr refuses special-use domains (see Advisory._staff_event).
DEMO_ADMIN_EMAIL = "admin@koonto.local"
# Local and test mode only (README/docs name it); production refuses it.
DEMO_ADMIN_PASSWORD = "koonto-demo-2026"  # noqa: S105


class AdvisorySettings(ServiceSettings):
    service_name: str = "advisory"
    http_port: int = 8002

    # Ed25519 private key (PEM) that signs staff tokens; required in production. Local/test mode generates one
    # into data_dir once and reuses it. The previous key (PEM, private or public) stays in the JWKS after a
    # rotation so tokens signed before it keep verifying until they expire.
    staff_signing_key: SecretStr | None = None
    staff_previous_signing_key: SecretStr | None = None
    staff_token_ttl_seconds: int = Field(default=8 * 3600, ge=60, le=7 * 24 * 3600)

    bootstrap_admin_email: str | None = None
    bootstrap_admin_password: SecretStr | None = None

    # login throttling: failures allowed per window, per account and per client address
    login_window_seconds: int = Field(default=900, ge=10)
    login_max_failures_per_account: int = Field(default=5, ge=1)
    login_max_failures_per_client: int = Field(default=20, ge=1)

    # staff single sign-on (OpenID Connect, docs/operations.md "Staff single sign-on"); off while the issuer is empty
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: SecretStr | None = None
    oidc_scopes: str = "openid email profile"
    oidc_button_label: str = ""  # e.g. "Kirjaudu PSSOTU-tunnuksella"; a generic text otherwise
    # roles from the provider: the claim (a list or a space-separated string) and which of its values is which
    # Koonto role, as JSON: {"koonto-neuvojat": "advisor"}. Empty: roles come from the staff record of the e-mail.
    oidc_roles_claim: str = ""
    oidc_role_map: Annotated[dict[str, str], NoDecode] = Field(default_factory=dict)
    # False: staff sign in only through the provider; the bootstrap admin keeps its password (a way in when the
    # provider is down or misconfigured)
    password_login: bool = True

    # first contact within this many Finnish working days of a case opening
    first_contact_working_days: int = Field(default=3, ge=0, le=60)

    # where funders find their reports (absolute URL; the 403 page of the workspace links there when set)
    reporting_url: str = ""

    scheduler_interval_seconds: float = Field(default=60.0, gt=0)
    scheduler_lease_seconds: float = Field(default=120.0, gt=0)
    # non-production only: pretend today is this date (demos, manual testing of reminders)
    fake_today: date | None = None

    @field_validator("oidc_role_map", mode="before")
    @classmethod
    def _role_map_from_json(cls, value: Any) -> Any:
        """KOONTO_OIDC_ROLE_MAP is JSON; empty (compose's unset default) is no mapping."""
        if isinstance(value, str):
            return json.loads(value) if value.strip() else {}
        return value

    @model_validator(mode="after")
    def _refuse_local_defaults_in_production(self) -> AdvisorySettings:
        if self.mode == "production":
            if self.staff_signing_key is None:
                raise ValueError("KOONTO_STAFF_SIGNING_KEY (Ed25519 private key, PEM) must be set in production")
            if self.fake_today is not None:
                raise ValueError("KOONTO_FAKE_TODAY is for local and test mode only")
            password = self.bootstrap_admin_password.get_secret_value() if self.bootstrap_admin_password else None
            if password == DEMO_ADMIN_PASSWORD or (self.bootstrap_admin_email or "") == DEMO_ADMIN_EMAIL:
                raise ValueError("the demo admin account is for local mode only; set KOONTO_BOOTSTRAP_ADMIN_*")
            if self.oidc_issuer and not self.oidc_issuer.startswith("https://"):
                raise ValueError("KOONTO_OIDC_ISSUER must be an https:// URL in production")
            if password is not None and len(password) < 12:
                raise ValueError("KOONTO_BOOTSTRAP_ADMIN_PASSWORD must have at least 12 characters")
        if self.oidc_issuer and not (self.oidc_client_id and self.oidc_client_secret):
            raise ValueError("KOONTO_OIDC_ISSUER needs KOONTO_OIDC_CLIENT_ID and KOONTO_OIDC_CLIENT_SECRET")
        if not self.password_login and not self.oidc_issuer:
            raise ValueError("KOONTO_PASSWORD_LOGIN=false needs single sign-on (KOONTO_OIDC_ISSUER)")
        unknown = sorted(set(self.oidc_role_map.values()) - {"admin", "coordinator", "advisor", "funder"})
        if unknown:
            raise ValueError(f"KOONTO_OIDC_ROLE_MAP names roles Koonto does not have: {unknown}")
        return self

    @property
    def bootstrap_email(self) -> str:
        """The bootstrap admin's address (lower case), or "" when there is none."""
        admin = self.bootstrap_admin()
        return admin[0] if admin else ""

    @property
    def sso_enabled(self) -> bool:
        return bool(self.oidc_issuer)

    def bootstrap_admin(self) -> tuple[str, str] | None:
        """(email, password) of the first admin, or None when production was given none."""
        email = self.bootstrap_admin_email
        password = self.bootstrap_admin_password.get_secret_value() if self.bootstrap_admin_password else None
        if self.is_local:
            return (email or DEMO_ADMIN_EMAIL).strip().lower(), password or DEMO_ADMIN_PASSWORD
        if email and password:
            return email.strip().lower(), password
        return None
