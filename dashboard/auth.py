"""Who may see the dashboard: anyone at this machine; beyond it, only after a login.

A dashboard bound to 127.0.0.1 serves only this machine. On any other address (Streamlit's
default of "all interfaces" included) a login is required: the shared password from the
environment variable the settings name, or, with `[dashboard].auth = "oidc"`, Streamlit's
OIDC login (`st.login`, configured in `.streamlit/secrets.toml`, e.g. for Microsoft Entra ID).
"""

from __future__ import annotations

import hmac
import os
import time

import streamlit as st

from collector.settings import Settings

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
FAILED_DELAY = 1.0  # seconds: slows guessing without bothering people


def bound_address() -> str:
    return str(st.get_option("server.address") or "")


def is_local(address: str) -> bool:
    return address in LOCAL_HOSTS


def exposed() -> bool:
    """Can people on other machines reach this page?

    An explicit non-local address: yes. No address at all means Streamlit listens on every
    interface, so yes too, as soon as a real client is connected (it sends HTTP headers);
    a bare script run (AppTest) has no client and exposes nothing.
    """
    address = bound_address()
    if is_local(address):
        return False
    if address:
        return True
    return bool(dict(st.context.headers))


def password_ok(given: str, expected: str) -> bool:
    """Constant-time comparison; an empty expected password never matches."""
    if not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _oidc(settings: Settings) -> bool:
    return getattr(settings.dashboard, "auth", "password") == "oidc"


def gate(settings: Settings) -> None:
    """Stop the page unless the user may see it; on success the user's name is in the session."""
    if st.session_state.get("kk_login_name"):
        return
    if _oidc(settings):
        _oidc_gate(settings)
        return
    expected = os.environ.get(settings.dashboard.password_env, "")
    if not expected:
        if not exposed():
            return  # this machine only
        st.error(
            f"このダッシュボードは {bound_address() or 'すべてのアドレス'} で待ち受けていますが、"
            f"ログインが設定されていません。環境変数 {settings.dashboard.password_env} にパスワードを"
            "設定して起動し直すか、127.0.0.1 で起動してください。"
        )
        st.stop()
    st.title("聞き耳 kikimimi")
    st.subheader("ログイン")
    with st.form("login"):
        name = st.text_input("名前（対応履歴に記録されます）", max_chars=100)
        password = st.text_input("パスワード", type="password")
        ok = st.form_submit_button("ログイン", type="primary")
    if ok:
        if not name.strip():
            st.error("名前を入力してください。")
        elif password_ok(password, expected):
            st.session_state["kk_login_name"] = name.strip()
            st.rerun()
        else:
            time.sleep(FAILED_DELAY)
            st.error("パスワードが違います。")
    st.stop()


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all
        return False


def _oidc_gate(settings: Settings) -> None:
    if not _oidc_configured():
        st.error(
            '[dashboard].auth = "oidc" ですが、.streamlit/secrets.toml に [auth]（redirect_uri, cookie_secret, '
            "client_id, client_secret, server_metadata_url）がありません。設定してから起動し直してください。"
        )
        st.stop()
    user = st.user
    if getattr(user, "is_logged_in", False):
        name = user.get("name") or user.get("email") or user.get("preferred_username") or ""
        st.session_state["kk_login_name"] = str(name) or "（名前なし）"
        return
    st.title("聞き耳 kikimimi")
    st.write("組織のアカウントでログインしてください。")
    if st.button("ログイン（組織アカウント）", type="primary"):
        st.login()
    st.stop()


def logout_button() -> None:
    if not st.session_state.get("kk_login_name"):
        return
    if st.sidebar.button("ログアウト"):
        st.session_state.pop("kk_login_name", None)
        if getattr(st.user, "is_logged_in", False):
            st.logout()
        st.rerun()
