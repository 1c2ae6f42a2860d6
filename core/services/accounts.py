"""Login with back-off, and the admin's account management.

A lockout only stops new logins: a scan station that is already signed in keeps scanning, so a
mistyped password at one lane never closes the gate (SECURITY.md).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.clock import Clock, system_clock
from core.errors import (
    AccountLocked,
    AuthenticationFailed,
    InvalidState,
    NotFound,
    PermissionDenied,
    WeakPassword,
)
from core.forms import FieldCollector
from core.models import Page, Role, User
from core.passwords import (
    PRODUCTION_PARAMS,
    ScryptParams,
    check_password_policy,
    hash_password,
    lock_after_failure,
    needs_rehash,
    verify_password,
)
from core.permissions import Action, require
from core.ports import SearchQuery, Store
from core.services.base import SYSTEM_ACTOR, Service, normalize_code
from core.validation import ValidationCode, normalize_text

USERNAME = r"[a-z][a-z0-9_.-]{1,31}"


@dataclass(frozen=True)
class UserInput:
    """The account form as typed. Clerks need an enterprise, operators a checkpoint."""

    username: str
    display_name: str
    role: Role
    password: str
    enterprise_id: int | None = None
    checkpoint_id: int | None = None


class AccountService(Service):
    """Accounts: login, create, deactivate, change and reset passwords."""

    def __init__(
        self, store: Store, clock: Clock = system_clock, params: ScryptParams = PRODUCTION_PARAMS
    ) -> None:
        super().__init__(store, clock)
        self.params = params
        # A hash to check against when the username is unknown, so both cases take as long.
        self._decoy = hash_password("decoy-password", params)

    def login(self, username: str, password: str) -> User:
        """The account for these credentials; raises ``AuthenticationFailed``/``AccountLocked``.

        Every attempt is audited. After five failures the account locks for 30 s, doubling
        up to an hour.
        """
        now = self.clock()
        name = username.strip().lower()
        creds = self.store.users.credentials(name)
        if creds is None:
            verify_password(password, self._decoy)
            with self.store.transaction() as tx:
                self.audit(tx, SYSTEM_ACTOR, "login.unknown_user", "user", "-")
            raise AuthenticationFailed()
        user = creds.user
        if creds.locked_until is not None and now < creds.locked_until:
            with self.store.transaction() as tx:
                self.audit(tx, user, "login.locked", "user", user.id)
            raise AccountLocked(creds.locked_until)
        if not verify_password(password, creds.password_hash) or not user.active:
            failures = creds.failed_attempts + 1
            locked_until = lock_after_failure(failures, now)
            with self.store.transaction() as tx:
                tx.users.record_login_failure(user.id, failures, locked_until)
                self.audit(tx, user, "login.failed", "user", user.id, {"failures": failures})
            if locked_until is not None:
                raise AccountLocked(locked_until)
            raise AuthenticationFailed()
        with self.store.transaction() as tx:
            tx.users.record_login_success(user.id)
            if needs_rehash(creds.password_hash, self.params):
                tx.users.set_password_hash(user.id, hash_password(password, self.params))
            self.audit(tx, user, "login", "user", user.id)
        return user

    def has_accounts(self) -> bool:
        """False on a brand-new database, where the first admin must be created."""
        return self.store.users.count() > 0

    def create_first_admin(self, username: str, display_name: str, password: str) -> User:
        """Create the first administrator of an empty database (refused once any account exists)."""
        if self.has_accounts():
            raise InvalidState("accounts already exist")
        form = UserInput(username, display_name, Role.ADMIN, password)
        return self._create(SYSTEM_ACTOR, form, only_if_empty=True)

    def create_user(self, actor: User, form: UserInput) -> User:
        """Create an account (admin only)."""
        require(actor, Action.MANAGE_USERS)
        return self._create(actor, form)

    def _create(self, actor: User | str, form: UserInput, only_if_empty: bool = False) -> User:
        username, display_name = self._check_form(form)
        password_hash = hash_password(form.password, self.params)
        with self.store.transaction() as tx:
            # Checked again under the write lock: two first starts at once make one admin.
            if only_if_empty and tx.users.count() > 0:
                raise InvalidState("accounts already exist")
            user = tx.users.add(
                username,
                display_name,
                form.role,
                form.enterprise_id,
                form.checkpoint_id,
                password_hash,
            )
            self.audit(tx, actor, "user.add", "user", user.id, {"role": form.role.value})
        return user

    def _check_form(self, form: UserInput) -> tuple[str, str]:
        fields = FieldCollector()
        username = fields.take(
            lambda: normalize_code(form.username.lower(), field="username", pattern=USERNAME), ""
        )
        display_name = fields.take(
            lambda: normalize_text(form.display_name, field="display_name", max_length=40), ""
        )
        try:
            check_password_policy(form.password, username or form.username)
        except WeakPassword as error:  # shown next to the password field
            fields.fail("password", ValidationCode.WEAK_PASSWORD, str(error))
        self._check_binding(form, fields)
        fields.raise_if_any()
        return username, display_name

    def _check_binding(self, form: UserInput, fields: FieldCollector) -> None:
        """Clerks belong to an enterprise, operators to a checkpoint, nobody else to either."""
        if form.role is Role.CLERK:
            if form.enterprise_id is None or self.store.enterprises.get(form.enterprise_id) is None:
                fields.fail("enterprise_id", ValidationCode.REQUIRED)
        elif form.enterprise_id is not None:
            fields.fail("enterprise_id", ValidationCode.BAD_FORMAT, "only clerks have one")
        if form.role is Role.OPERATOR:
            point = (
                None
                if form.checkpoint_id is None
                else self.store.checkpoints.get(form.checkpoint_id)
            )
            if point is None:
                fields.fail("checkpoint_id", ValidationCode.REQUIRED)
        elif form.checkpoint_id is not None:
            fields.fail("checkpoint_id", ValidationCode.BAD_FORMAT, "only operators have one")

    def set_active(self, actor: User, user_id: int, active: bool) -> None:
        """Enable or disable an account; an admin cannot disable itself."""
        require(actor, Action.MANAGE_USERS)
        if user_id == actor.id and not active:
            raise PermissionDenied("cannot disable your own account")
        with self.store.transaction() as tx:
            user = tx.users.get(user_id)
            if user is None:
                raise NotFound(f"user {user_id}")
            tx.users.update(replace(user, active=active))
            self.audit(tx, actor, "user.active", "user", user_id, {"active": active})

    def reset_password(self, actor: User, user_id: int, new_password: str) -> None:
        """Set a new password for another account (admin) and clear its lockout."""
        require(actor, Action.MANAGE_USERS)
        target = self.store.users.get(user_id)
        if target is None:
            raise NotFound(f"user {user_id}")
        self._set_password(actor, target, new_password)

    def change_own_password(self, actor: User, old_password: str, new_password: str) -> None:
        """Change the actor's own password after checking the old one."""
        creds = self.store.users.credentials(actor.username)
        # A disabled account may do nothing, not even keep itself alive with a new password.
        if not actor.active or (creds is not None and not creds.user.active):
            raise PermissionDenied("account disabled")
        if creds is None or not verify_password(old_password, creds.password_hash):
            raise AuthenticationFailed()
        self._set_password(actor, actor, new_password)

    def _set_password(self, actor: User, target: User, new_password: str) -> None:
        fields = FieldCollector()
        try:
            check_password_policy(new_password, target.username)
        except WeakPassword as error:
            fields.fail("password", ValidationCode.WEAK_PASSWORD, str(error))
        fields.raise_if_any()
        password_hash = hash_password(new_password, self.params)
        with self.store.transaction() as tx:
            tx.users.set_password_hash(target.id, password_hash)
            tx.users.record_login_success(target.id)
            self.audit(tx, actor, "user.password", "user", target.id)

    def search_users(self, actor: User, query: SearchQuery) -> Page[User]:
        """A page of accounts (admin)."""
        require(actor, Action.VIEW_USERS)
        return self.store.users.search(query)
