package dev.berth.gc;

import dev.berth.testing.BerthJar;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code berth gc} printed, read back: whether it handed the run to a server, the manifests
 * and blobs it deleted (or, dry, would delete), and its closing summary.
 */
record GcOutput(boolean handedOver, Set<String> manifests, Set<String> blobs, Set<String> reportLines, String summary) {
  private static final Pattern MANIFEST =
      Pattern.compile("^(?:would delete|deleted) manifest (\\S+) (sha256:[0-9a-f]{64}) \\d+ bytes$");
  /** The repositories the blob was linked into come before the digest ("-" for none). */
  private static final Pattern BLOB =
      Pattern.compile("^(?:would delete|deleted) (?:orphaned )?blob (?:\\S+ )?(sha256:[0-9a-f]{64}) \\d+ bytes$");

  static GcOutput of(BerthJar.Result result) {
    Set<String> manifests = new TreeSet<>();
    Set<String> blobs = new TreeSet<>();
    Set<String> reportLines = new TreeSet<>();
    String summary = null;
    List<String> lines = result.lines();
    for (String line : lines) {
      Matcher manifest = MANIFEST.matcher(line);
      Matcher blob = BLOB.matcher(line);
      if (manifest.matches()) {
        manifests.add(manifestKey(manifest.group(1), manifest.group(2)));
        reportLines.add(withoutMood(line));
      } else if (blob.matches()) {
        blobs.add(blob.group(1));
        reportLines.add(withoutMood(line));
      } else if (line.startsWith("collected:") || line.startsWith("dry run:")) {
        summary = line;
      }
    }
    boolean handedOver = lines.stream().anyMatch(l -> l.contains("handing the run to it"));
    return new GcOutput(handedOver, manifests, blobs, reportLines, summary);
  }

  /** How reports name a manifest: repository and digest. */
  static String manifestKey(String repository, String digest) {
    return repository + "@" + digest;
  }

  /** "would delete blob X n bytes" and "deleted blob X n bytes" both become "blob X n bytes". */
  private static String withoutMood(String line) {
    return line.replaceFirst("^(would delete|deleted) ", "");
  }
}
