package dev.berth.ui.view;

import java.util.List;

/**
 * The preview shown before a delete is confirmed: what goes with it and what stays.
 *
 * @param reference the tag or digest as the form sends it back
 * @param otherTags for a tag: the other tags on the same image, which keep it alive
 * @param tags for a digest: every tag the delete removes
 * @param bytesFreedWithUntagged what a GC that deletes untagged images frees after the delete,
 *     the children an index leaves untagged included
 */
public record DeleteView(Frame frame, String repository, String repositoryHref, String reference, boolean byTag,
    String digest, List<String> otherTags, List<String> tags, List<String> referrers, List<String> untaggedChildren,
    List<String> listedByIndexes, String bytesFreed, String bytesShared, String bytesFreedWithUntagged) {}
