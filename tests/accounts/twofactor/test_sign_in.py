"""Signing in through allauth's real views: password, then the 2FA step."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

from accounts.models import SecurityEvent

from .conftest import give_totp, password_step


def _signed_in_as(client, user) -> bool:
    return (
        client.get("/account/security/").status_code == 200
        and int(client.session.get("_auth_user_id", 0)) == user.pk
    )


def test_sign_in_with_a_code_from_an_independent_authenticator(client, person, sign_in_with_code):
    authenticator = give_totp(person)

    response = sign_in_with_code(client, person, authenticator.now())

    assert response.status_code == 302
    assert _signed_in_as(client, person)


def test_the_2fa_step_refuses_a_wrong_code_and_records_it(client, person, sign_in_with_code):
    authenticator = give_totp(person)
    wrong = f"{(int(authenticator.now()) + 1) % 1_000_000:06d}"

    response = sign_in_with_code(client, person, wrong)

    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert (
        SecurityEvent.objects.filter(user=person, kind=SecurityEvent.Kind.MFA_FAILED).count() == 1
    )


def test_the_2fa_step_links_to_the_lost_device_reset(client, person):
    give_totp(person)
    password_step(client, person)

    page = client.get("/accounts/2fa/authenticate/").content.decode()

    assert "Lost your device?" in page
    assert 'href="/account/2fa-reset/"' in page


def test_a_recovery_code_works_once(client, person, sign_in_with_code):
    give_totp(person)
    codes = RecoveryCodes.activate(person).generate_codes()

    first = sign_in_with_code(client, person, codes[0])
    assert first.status_code == 302 and _signed_in_as(client, person)
    client.post("/accounts/logout/")

    again = sign_in_with_code(client, person, codes[0])
    assert again.status_code == 200
    assert "Incorrect code." in again.content.decode()
    assert "_auth_user_id" not in client.session
    left = RecoveryCodes(Authenticator.objects.get(user=person, type="recovery_codes"))
    assert len(left.get_unused_codes()) == len(codes) - 1


def test_five_wrong_codes_lock_the_2fa_step_even_for_the_right_code(
    client, person, sign_in_with_code
):
    authenticator = give_totp(person)
    password_step(client, person)
    right = authenticator.now()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    for _ in range(5):
        response = client.post("/accounts/2fa/authenticate/", {"code": wrong})
        assert "Incorrect code." in response.content.decode()
    locked = client.post("/accounts/2fa/authenticate/", {"code": right})

    page = locked.content.decode()
    assert locked.status_code == 429  # a rate limit's refusal (README, "Rate limits")
    assert "Too many wrong codes" in page and "locked" in page
    assert "_auth_user_id" not in client.session
    events = SecurityEvent.objects.filter(user=person)
    assert events.filter(kind=SecurityEvent.Kind.MFA_FAILED).count() == 5
    assert events.filter(kind=SecurityEvent.Kind.MFA_LOCKED).count() == 1


def test_the_lock_is_per_account(client, person, sign_in_with_code, django_user_model):
    from .conftest import make_person

    give_totp(person)
    password_step(client, person)
    for _ in range(5):
        client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    other = make_person("other@example.test")
    other_authenticator = give_totp(other)
    client.post("/accounts/logout/")

    response = sign_in_with_code(client, other, other_authenticator.now())

    assert response.status_code == 302
    assert _signed_in_as(client, other)
