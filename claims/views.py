"""Analysts' pages; they only call selectors and services."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from claims import selectors


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "claims/home.html", {"counts": selectors.tracker_counts()})
