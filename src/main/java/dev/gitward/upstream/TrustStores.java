package dev.gitward.upstream;

import dev.gitward.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Builds the TLS context that verifies an upstream: the system trust store or a CA bundle. */
final class TrustStores {
  private TrustStores() {}

  static SSLContext systemDefault() throws ConfigException {
    try {
      return SSLContext.getDefault();
    } catch (GeneralSecurityException e) {
      throw new ConfigException(
          "tls: the system trust store cannot be loaded (" + e.getMessage() + ")");
    }
  }

  static SSLContext fromBundle(String key, Path bundle) throws ConfigException {
    try (InputStream in = Files.newInputStream(bundle)) {
      Collection<? extends Certificate> certificates =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certificates.isEmpty()) {
        throw new ConfigException(
            key
                + ": "
                + bundle
                + " holds no certificate (expected: a PEM"
                + " bundle of CA certificates)");
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int index = 0;
      for (Certificate certificate : certificates) {
        store.setCertificateEntry("ca-" + index++, certificate);
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(
          key + ": " + bundle + " cannot be read as a PEM bundle (" + e.getMessage() + ")");
    }
  }
}
