package dev.berth.ui.view;

/** A page that only says something: not allowed, not found, refused. */
public record MessageView(Frame frame, String heading, String message) {}
