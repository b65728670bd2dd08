package dev.berth.adopt;

/** What an import reports while it runs. */
public interface ImportListener {

  /** Called once per inconsistent item, as it is met. */
  void inconsistency(Inconsistency inconsistency);

  /** Called every few hundred manifests and after each repository, with the counts so far. */
  default void progress(ImportReport soFar) {}
}
