"""Sign-in beyond the password: the TOTP step, API tokens, and who may read the API docs."""

from __future__ import annotations

import base64

import segno
from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import match_token
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from laborbridge import credentials
from laborbridge.middleware import second_factor_required
from laborbridge.security import safe_next
from laborbridge.throttling import SignInThrottle


def _cooloff_minutes() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout_message() -> str:
    return _(
        "登录失败次数过多，该账号或当前网络地址已被锁定 %(minutes)d 分钟。"
        "请稍后再试，或请系统管理员解锁。"
    ) % {"minutes": _cooloff_minutes()}


def lockout_response(request, original_response=None, credentials=None):
    """Answer a locked-out sign-in (django-axes' AXES_LOCKOUT_CALLABLE): 429, in Chinese."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path_info.startswith("/api/"):
        body = {"code": "throttled", "message": lockout_message(), "fields": {}}
        response = JsonResponse(body, status=status)
    else:
        context = {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": _cooloff_minutes(),
        }
        response = render(request, "registration/locked_out.html", context, status=status)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


class SecondFactorForm(forms.Form):
    otp_token = forms.CharField(
        label=gettext_lazy("6 位动态验证码"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]{6}",
                "autofocus": True,
            }
        ),
        error_messages={
            "required": gettext_lazy("请输入验证器应用上显示的 6 位数字。"),
            "min_length": gettext_lazy("验证码是 6 位数字。"),
            "max_length": gettext_lazy("验证码是 6 位数字。"),
        },
    )


def _grouped_secret(device) -> str:
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@login_required
def second_factor(request):
    """Enrol an authenticator (QR code) or enter its current code, then continue to ``next``.

    The page holds the secret while enrolling, hence ``never_cache``.
    """
    target = safe_next(request, request.POST.get("next") or request.GET.get("next"), "/")
    if request.user.is_verified():
        return redirect(target)
    device = credentials.second_factor_device(user=request.user)
    enrolling = device is None
    if enrolling:
        device = credentials.second_factor_enrol(user=request.user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, details = device.verify_is_allowed()
        if not allowed:
            form.add_error("otp_token", _("错误次数过多，请稍等一分钟后再输入最新的验证码。"))
        elif credentials.second_factor_verify(
            user=request.user, device=device, token=form.cleaned_data["otp_token"]
        ):
            otp_login(request, device)
            return redirect(target)
        else:
            form.add_error(
                "otp_token",
                _(
                    "验证码不正确或已过期：请输入验证器应用上当前显示的 6 位数字，并确认手机时间准确。"
                ),
            )
    context = {"form": form, "enrolling": enrolling, "next": target}
    if enrolling:
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(
            scale=5, title=_("LaborBridge 双重验证二维码")
        )
        context["secret"] = _grouped_secret(device)
    return render(request, "registration/second_factor.html", context)


class ApiDocsAccess(permissions.BasePermission):
    """The OpenAPI schema and docs: public in development, signed-in users in production."""

    def has_permission(self, request, view) -> bool:
        return settings.API_DOCS_PUBLIC or bool(request.user and request.user.is_authenticated)


class ApiTokenView(APIView):
    """Issue the API token of a user: ``POST {"username", "password"[, "otp_token"]}``.

    Wrong passwords count towards the login lockout exactly like the sign-in form; the
    endpoint is throttled per client address. Users who sign in with a second factor must
    send their current TOTP code too.
    """

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [SignInThrottle]
    throttle_scope = "auth"

    class ApiTokenInputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, trim_whitespace=False)
        otp_token = serializers.CharField(max_length=6, required=False, allow_blank=True)

    class ApiTokenOutputSerializer(serializers.Serializer):
        token = serializers.CharField()

    @extend_schema(
        request=ApiTokenInputSerializer,
        responses={200: ApiTokenOutputSerializer},
        auth=[],
        tags=["auth"],
    )
    def post(self, request):
        data = self.ApiTokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request=request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if getattr(request, "axes_locked_out", False):
            raise exceptions.Throttled(
                wait=settings.AXES_COOLOFF_TIME.total_seconds(), detail=lockout_message()
            )
        if user is None:
            raise exceptions.ValidationError({"password": [_("用户名或密码不正确。")]})
        if settings.REQUIRE_2FA and second_factor_required(user):
            code = data.validated_data.get("otp_token", "").strip()
            if not code:
                raise exceptions.ValidationError(
                    {"otp_token": [_("此账号需要双重验证：请同时提交验证器应用上的 6 位验证码。")]}
                )
            if match_token(user, code) is None:
                raise exceptions.ValidationError(
                    {"otp_token": [_("验证码不正确或已过期，请输入当前显示的 6 位数字。")]}
                )
        token = credentials.api_token_issue(user=user)
        return Response(self.ApiTokenOutputSerializer({"token": token.key}).data)
