package dev.berth.ui.view;

/** The login form, with the name typed so far and why the last attempt failed (empty: none). */
public record LoginView(Frame frame, String name, String error) {}
