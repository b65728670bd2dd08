package dev.berth.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.berth.oci.RepositoryName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Signs and verifies the registry's bearer tokens: ES256 JWTs in the shape of Docker's token
 * specification ({@code access: [{type, name, actions}]}). The signing key is kept in the data
 * directory, readable by the owner only, so tokens survive restarts. Verification accepts ES256
 * signed by that key and nothing else: {@code alg: none}, HMAC tricks and foreign keys fail.
 */
public final class TokenService {
  private final ECKey key;
  private final ECDSAVerifier verifier;
  private final String issuer;
  private final String service;
  private final Duration lifetime;
  private final Clock clock;

  private TokenService(ECKey key, String issuer, String service, Duration lifetime, Clock clock) throws JOSEException {
    this.key = key;
    this.verifier = new ECDSAVerifier(key.toECPublicKey());
    this.issuer = issuer;
    this.service = service;
    this.lifetime = lifetime;
    this.clock = clock;
  }

  public static TokenService open(Path keyFile, String service, Duration lifetime, Clock clock) throws IOException {
    try {
      return new TokenService(loadOrCreate(keyFile), "berth", service, lifetime, clock);
    } catch (JOSEException | ParseException e) {
      throw new IOException("token signing key " + keyFile + " is unusable: " + e.getMessage(), e);
    }
  }

  /**
   * With a key the deployment provides, shared by every replica: read, never created, and refused
   * unless it is an EC P-256 private key.
   */
  public static TokenService openShared(Path keyFile, String service, Duration lifetime, Clock clock)
      throws IOException {
    try {
      ECKey key = ECKey.parse(Files.readString(keyFile, StandardCharsets.UTF_8));
      if (!key.isPrivate() || !Curve.P_256.equals(key.getCurve())) {
        throw new IOException("token signing key " + keyFile + " is not an EC P-256 private key");
      }
      return new TokenService(key, "berth", service, lifetime, clock);
    } catch (JOSEException | ParseException e) {
      throw new IOException("token signing key " + keyFile + " is unusable: " + e.getMessage(), e);
    }
  }

  private static ECKey loadOrCreate(Path keyFile) throws IOException, JOSEException, ParseException {
    if (Files.exists(keyFile)) {
      return ECKey.parse(Files.readString(keyFile, StandardCharsets.UTF_8));
    }
    ECKey generated = new ECKeyGenerator(Curve.P_256).keyID(UUID.randomUUID().toString()).generate();
    Files.createDirectories(keyFile.getParent());
    Path staged = keyFile.resolveSibling(keyFile.getFileName() + ".tmp");
    Files.deleteIfExists(staged);
    Files.createFile(staged, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(staged, generated.toJSONString(), StandardCharsets.UTF_8);
    Files.move(staged, keyFile, StandardCopyOption.ATOMIC_MOVE);
    return generated;
  }

  public String service() {
    return service;
  }

  public Duration lifetime() {
    return lifetime;
  }

  /** A token for {@code subject} carrying exactly {@code grants}. */
  public String issue(Principal subject, List<Scope> grants) {
    Instant now = clock.instant();
    List<Map<String, Object>> access = new ArrayList<>();
    for (Scope grant : grants) {
      if (!grant.actions().isEmpty()) {
        access.add(Map.of("type", "repository", "name", grant.repository().value(),
            "actions", grant.actions().stream().sorted().map(Action::scopeName).toList()));
      }
    }
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(issuer)
        .subject(subject.name())
        .audience(service)
        .issueTime(Date.from(now))
        .notBeforeTime(Date.from(now.minusSeconds(1)))
        .expirationTime(Date.from(now.plus(lifetime)))
        .jwtID(UUID.randomUUID().toString())
        .claim("kind", subject.kind().name().toLowerCase(java.util.Locale.ROOT))
        .claim("access", access)
        .build();
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
      jwt.sign(new ECDSASigner(key));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException("signing failed", e);
    }
  }

  /** A verified token: who, and what it grants per repository. */
  public record Verified(String subject, Principal.Kind kind, Map<RepositoryName, Set<Action>> grants) {
    public Set<Action> actionsOn(RepositoryName repository) {
      return grants.getOrDefault(repository, Set.of());
    }
  }

  public Optional<Verified> verify(String token) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!JWSAlgorithm.ES256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
        return Optional.empty();
      }
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      Instant now = clock.instant();
      if (claims.getExpirationTime() == null || !now.isBefore(claims.getExpirationTime().toInstant())
          || (claims.getNotBeforeTime() != null && now.isBefore(claims.getNotBeforeTime().toInstant()))
          || !issuer.equals(claims.getIssuer()) || !claims.getAudience().contains(service)) {
        return Optional.empty();
      }
      Map<RepositoryName, Set<Action>> grants = new HashMap<>();
      Object access = claims.getClaim("access");
      if (access instanceof List<?> entries) {
        for (Object entry : entries) {
          if (entry instanceof Map<?, ?> map && "repository".equals(map.get("type"))
              && map.get("name") instanceof String name && map.get("actions") instanceof List<?> actions) {
            Set<Action> set = EnumSet.noneOf(Action.class);
            actions.forEach(a -> Action.fromScope(String.valueOf(a)).ifPresent(set::add));
            grants.put(RepositoryName.of(name), set);
          }
        }
      }
      Principal.Kind kind = switch (String.valueOf(claims.getClaim("kind"))) {
        case "robot" -> Principal.Kind.ROBOT;
        case "anonymous" -> Principal.Kind.ANONYMOUS;
        default -> Principal.Kind.USER;
      };
      return Optional.of(new Verified(claims.getSubject(), kind, grants));
    } catch (ParseException | JOSEException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
