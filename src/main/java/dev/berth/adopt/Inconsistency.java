package dev.berth.adopt;

/**
 * Something in a Docker Registry root that cannot be recorded as it stands, where it is, and what the
 * import did about it.
 *
 * @param location the file or directory concerned
 * @param detail what is wrong with it
 */
public record Inconsistency(Kind kind, String location, String detail) {

  /** Each kind is handled one way, the same in a dry run (then: would be) and a real one. */
  public enum Kind {
    LINK_GARBAGE("link file with garbage", "ignored"),
    LAYER_BLOB_MISSING("layer link to a missing blob", "link not recorded"),
    REVISION_BLOB_MISSING("revision link to a missing blob", "manifest not recorded"),
    MANIFEST_INVALID("manifest Berth cannot parse", "manifest not recorded"),
    SCHEMA1("Docker schema 1 manifest", "skipped: Berth does not serve schema 1"),
    MANIFEST_BLOB_MISSING("manifest naming a missing blob", "manifest not recorded"),
    MANIFEST_BLOB_UNLINKED("manifest naming a blob with no layer link in its repository",
        "blob linked into the repository"),
    INDEX_CHILD_MISSING("index naming a missing child manifest", "index not recorded"),
    TAG_BLOB_MISSING("tag link to a missing blob", "tag not created"),
    TAG_MANIFEST_MISSING("tag link to a manifest not recorded", "tag not created"),
    INVALID_NAME("name Berth does not accept", "skipped"),
    EMPTY_REPOSITORY("empty repository directory", "nothing to record"),
    REFUSED("refused by the metadata store", "not recorded");

    private final String description;
    private final String handling;

    Kind(String description, String handling) {
      this.description = description;
      this.handling = handling;
    }

    public String description() {
      return description;
    }

    public String handling() {
      return handling;
    }
  }

  /** One line for a report: kind, place, what is wrong, what was done. */
  public String line() {
    return kind.description + ": " + location + ": " + detail + " -> " + kind.handling;
  }
}
