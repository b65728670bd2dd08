package dev.berth.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PEM files of {@code http.tls}: the formats OpenSSL writes, and one clear line for each bad file. */
class TlsKeyStoreTest {
  @TempDir
  static Path dir;

  static TestCertificates ec;
  static TestCertificates rsa;

  @BeforeAll
  static void certificates() throws Exception {
    ec = TestCertificates.create(dir.resolve("ec"));
    rsa = TestCertificates.createRsa(dir.resolve("rsa"));
  }

  private static TlsKeyStore read(Path certificate, Path key) throws ConfigException {
    return TlsKeyStore.read(new Settings.Tls(certificate, key));
  }

  @Test
  void readsAChainAndAPkcs8KeyIntoAKeyStore() throws Exception {
    TlsKeyStore tls = read(ec.chain(), ec.key());

    KeyStore store = tls.keyStore();
    String alias = store.aliases().nextElement();
    assertThat(store.getCertificateChain(alias)).hasSize(2);
    assertThat(store.getKey(alias, tls.password())).isNotNull();
    assertThat(((X509Certificate) store.getCertificateChain(alias)[0]).getSubjectX500Principal().getName())
        .isEqualTo("CN=localhost");
    assertThat(tls.certificateSha256()).hasSize(64);
  }

  @Test
  void readsTraditionalRsaAndEcKeys() throws Exception {
    Path pkcs1 = rsa.keyAs("pkcs1.key", "-traditional");
    assertThat(Files.readString(pkcs1)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    assertThat(read(rsa.chain(), pkcs1).keyStore().size()).isEqualTo(1);

    Path sec1 = ec.keyAs("sec1.key", "-traditional");
    assertThat(Files.readString(sec1)).startsWith("-----BEGIN EC PRIVATE KEY-----");
    assertThat(read(ec.chain(), sec1).keyStore().size()).isEqualTo(1);
  }

  @Test
  void aMissingFileNamesTheKeyAndTheFile() {
    Path missing = dir.resolve("nope.pem");
    assertThatThrownBy(() -> read(missing, ec.key()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("'http.tls.certificate' file " + missing + " does not exist");
    assertThatThrownBy(() -> read(ec.chain(), missing))
        .hasMessage("'http.tls.key' file " + missing + " does not exist");
  }

  @Test
  void filesWithoutPemAreRefused() throws Exception {
    Path text = Files.writeString(dir.resolve("text.pem"), "not a certificate\n");
    assertThatThrownBy(() -> read(text, ec.key()))
        .hasMessage("'http.tls.certificate' file " + text + " holds no PEM certificate");
    assertThatThrownBy(() -> read(ec.chain(), text))
        .hasMessage("'http.tls.key' file " + text + " holds no PEM private key");
    assertThatThrownBy(() -> read(ec.chain(), ec.chain()))
        .hasMessage("'http.tls.key' file " + ec.chain() + " holds no PEM private key");
  }

  @Test
  void brokenPemIsRefused() throws Exception {
    Path broken = Files.writeString(dir.resolve("broken.pem"),
        "-----BEGIN CERTIFICATE-----\nMIIB!!!notbase64\n-----END CERTIFICATE-----\n");
    assertThatThrownBy(() -> read(broken, ec.key()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("'http.tls.certificate' file " + broken + " is not valid PEM: ")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void aKeyOfAnotherCertificateIsRefused() {
    assertThatThrownBy(() -> read(ec.chain(), rsa.key()))
        .hasMessage("'http.tls.key' file " + rsa.key() + " is not the private key of the certificate in "
            + "'http.tls.certificate' file " + ec.chain());
  }

  @Test
  void anEncryptedKeyIsRefusedWithAHint() throws Exception {
    Path encrypted = ec.keyAs("encrypted.key", "-aes256", "-passout", "pass:secret");
    assertThatThrownBy(() -> read(ec.chain(), encrypted))
        .hasMessageStartingWith("'http.tls.key' file " + encrypted + " holds an encrypted private key");
  }
}
