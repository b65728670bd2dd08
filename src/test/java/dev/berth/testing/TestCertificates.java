package dev.berth.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throwaway certificate authority and a server certificate it signed for
 * {@code IP:127.0.0.1,DNS:localhost}, made by {@code openssl} in a directory of the test's.
 *
 * @param trust a directory holding only {@code ca.crt}: what skopeo's and podman's cert dirs take
 *     (a {@code *.key} there would be read as a client key)
 * @param chain PEM: the server's certificate, then the CA's
 * @param key PEM: the server's private key, PKCS#8 as {@code openssl req -nodes} writes it
 */
public record TestCertificates(Path directory, Path trust, Path caCertificate, Path chain, Path key) {
  /** EC P-256 keys: quick to make. */
  public static TestCertificates create(Path directory) throws IOException, InterruptedException {
    return create(directory, List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"));
  }

  /** With RSA keys, for the key formats only RSA has (PKCS#1). */
  public static TestCertificates createRsa(Path directory) throws IOException, InterruptedException {
    return create(directory, List.of("-newkey", "rsa:2048"));
  }

  private static TestCertificates create(Path directory, List<String> newKey) throws IOException, InterruptedException {
    String openssl = Tool.require("openssl");
    Files.createDirectories(directory);
    Tool.ok(directory, command(List.of(openssl, "req", "-x509", "-nodes", "-days", "30", "-subj", "/CN=Berth test CA",
        "-keyout", "ca.key", "-out", "ca.crt"), newKey));
    Tool.ok(directory, command(List.of(openssl, "req", "-nodes", "-subj", "/CN=localhost",
        "-keyout", "server.key", "-out", "server.csr"), newKey));
    Files.writeString(directory.resolve("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    Tool.ok(directory, List.of(openssl, "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "30", "-extfile", "server.ext", "-out", "server.crt"));
    Path chain = directory.resolve("chain.pem");
    Files.writeString(chain, Files.readString(directory.resolve("server.crt")) + Files.readString(directory.resolve("ca.crt")));
    Path trust = Files.createDirectories(directory.resolve("trust"));
    Files.copy(directory.resolve("ca.crt"), trust.resolve("ca.crt"));
    return new TestCertificates(directory, trust, trust.resolve("ca.crt"), chain, directory.resolve("server.key"));
  }

  /** A client context that trusts this CA alone, as a client given {@code --cacert ca.crt} does. */
  public SSLContext clientContext() throws IOException, GeneralSecurityException {
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    try (InputStream in = Files.newInputStream(caCertificate)) {
      trusted.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  /** The key rewritten by {@code openssl pkey} with more arguments, e.g. {@code -traditional}. */
  public Path keyAs(String fileName, String... arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Tool.require("openssl"), "pkey", "-in", key.toString(),
        "-out", fileName));
    command.addAll(List.of(arguments));
    Tool.ok(directory, command);
    return directory.resolve(fileName);
  }

  private static List<String> command(List<String> head, List<String> tail) {
    List<String> command = new ArrayList<>(head);
    command.addAll(tail);
    return command;
  }
}
