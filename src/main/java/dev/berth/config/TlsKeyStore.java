package dev.berth.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * The server's certificate chain and private key, read from the PEM files of {@code http.tls} into
 * an in-memory PKCS#12 key store, which is what Jetty takes. Every problem is a
 * {@link ConfigException} of one line naming the key and the file, so a bad file stops the start
 * before anything listens.
 *
 * @param password protects the entry inside this process only; the store is never written out
 */
public record TlsKeyStore(KeyStore keyStore, char[] password, X509Certificate certificate) {
  private static final String CERTIFICATE_KEY = "http.tls.certificate";
  private static final String KEY_KEY = "http.tls.key";
  private static final String ALIAS = "berth";

  public static TlsKeyStore read(Settings.Tls files) throws ConfigException {
    List<X509Certificate> chain = certificates(files.certificate());
    PrivateKey key = privateKey(files.key());
    if (!matches(key, chain.getFirst())) {
      throw new ConfigException("'" + KEY_KEY + "' file " + files.key() + " is not the private key of the certificate in '"
          + CERTIFICATE_KEY + "' file " + files.certificate());
    }
    try {
      char[] password = HexFormat.of().formatHex(randomBytes(16)).toCharArray();
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(ALIAS, key, password, chain.toArray(X509Certificate[]::new));
      return new TlsKeyStore(store, password, chain.getFirst());
    } catch (GeneralSecurityException | IOException e) {
      throw new ConfigException("'" + KEY_KEY + "' file " + files.key() + ": the key cannot be used: " + e.getMessage());
    }
  }

  /** The SHA-256 of the certificate's DER bytes, in hex: what a client that pins it compares. */
  public String certificateSha256() {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<X509Certificate> certificates(Path file) throws ConfigException {
    List<X509Certificate> chain = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    try (PEMParser pem = parser(CERTIFICATE_KEY, file)) {
      for (Object item = pem.readObject(); item != null; item = pem.readObject()) {
        if (item instanceof X509CertificateHolder holder) {
          chain.add(converter.getCertificate(holder));
        }
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw invalid(CERTIFICATE_KEY, file, e);
    }
    if (chain.isEmpty()) {
      throw new ConfigException("'" + CERTIFICATE_KEY + "' file " + file + " holds no PEM certificate");
    }
    return chain;
  }

  /** The first key in the file; OpenSSL's EC key files may start with an "EC PARAMETERS" block. */
  private static PrivateKey privateKey(Path file) throws ConfigException {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try (PEMParser pem = parser(KEY_KEY, file)) {
      for (Object item = pem.readObject(); item != null; item = pem.readObject()) {
        switch (item) {
          case PrivateKeyInfo info -> {
            return converter.getPrivateKey(info);
          }
          case PEMKeyPair pair -> {
            return converter.getKeyPair(pair).getPrivate();
          }
          case PKCS8EncryptedPrivateKeyInfo encrypted -> throw encrypted(file);
          case PEMEncryptedKeyPair encrypted -> throw encrypted(file);
          default -> { }
        }
      }
    } catch (ConfigException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw invalid(KEY_KEY, file, e);
    }
    throw new ConfigException("'" + KEY_KEY + "' file " + file + " holds no PEM private key");
  }

  private static byte[] randomBytes(int count) {
    byte[] bytes = new byte[count];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }

  private static ConfigException encrypted(Path file) {
    return new ConfigException("'" + KEY_KEY + "' file " + file + " holds an encrypted private key; "
        + "decrypt it (openssl pkey -in KEY -out PLAIN)");
  }

  private static PEMParser parser(String key, Path file) throws ConfigException {
    try {
      Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
      return new PEMParser(reader);
    } catch (NoSuchFileException e) {
      throw new ConfigException("'" + key + "' file " + file + " does not exist");
    } catch (AccessDeniedException e) {
      throw new ConfigException("'" + key + "' file " + file + " cannot be read: permission denied");
    } catch (IOException e) {
      throw new ConfigException("'" + key + "' file " + file + " cannot be read: " + e.getMessage());
    }
  }

  private static ConfigException invalid(String key, Path file, Exception e) {
    return new ConfigException("'" + key + "' file " + file + " is not valid PEM: " + e.getMessage());
  }

  /** Signs with the key and verifies with the certificate: a mismatch would only show in handshakes. */
  private static boolean matches(PrivateKey key, X509Certificate certificate) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> key.getAlgorithm();
    };
    byte[] probe = "berth".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
