package dev.berth.ui.view;

import java.util.List;

/**
 * The signed-in user's own account: their roles, and the form to change their password.
 *
 * @param notice what the last change did (empty: nothing)
 */
public record AccountView(Frame frame, boolean systemAdmin, List<String> roles, String notice) {}
