package dev.berth.auth;

import java.util.Optional;

/** An authenticated (or anonymous) request: its principal and, when it came with one, its token. */
public record Caller(Principal principal, Optional<TokenService.Verified> token) {
  public static final Caller ANONYMOUS = new Caller(Principal.ANONYMOUS, Optional.empty());

  public static Caller of(Principal principal) {
    return new Caller(principal, Optional.empty());
  }
}
