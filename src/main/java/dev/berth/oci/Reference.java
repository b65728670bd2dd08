package dev.berth.oci;

/** What follows {@code /manifests/}: a tag or a digest. A colon can only appear in a digest. */
public sealed interface Reference permits Reference.ByTag, Reference.ByDigest {

  static Reference parse(String text) {
    if (text != null && text.indexOf(':') >= 0) {
      return new ByDigest(Digest.parse(text));
    }
    return new ByTag(Tag.of(text));
  }

  record ByTag(Tag tag) implements Reference {
    @Override
    public String toString() {
      return tag.value();
    }
  }

  record ByDigest(Digest digest) implements Reference {
    @Override
    public String toString() {
      return digest.toString();
    }
  }
}
