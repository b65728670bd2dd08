package dev.berth.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A path pattern as a nondeterministic automaton, run over a path in one pass with the set of its
 * states: time proportional to the path's length times the pattern's, whatever the pattern. A
 * backtracking regular expression (what {@code java.util.regex} is) takes exponential time on
 * patterns like {@code *a*a*a*a*a*b} against {@code aaaa...}, and patterns come from namespace
 * admins while immutable-tag checks run on every manifest PUT.
 */
final class GlobAutomaton {
  /** What a character must be for a transition: a literal (the char itself), or one of these. */
  private static final int ANY = -1;
  private static final int NOT_SLASH = -2;

  /** Per state: its transitions as {character class, target} pairs. */
  private final List<List<int[]>> transitions = new ArrayList<>();
  /** Per state: the one state it also is without consuming a character, or -1. */
  private final List<Integer> epsilon = new ArrayList<>();
  /** The state the next fragment starts from; accepting once the pattern is built. */
  private int current = newState();

  private int newState() {
    transitions.add(new ArrayList<>());
    epsilon.add(-1);
    return transitions.size() - 1;
  }

  private void edge(int from, int charClass, int to) {
    transitions.get(from).add(new int[] {charClass, to});
  }

  /** Appends a fragment whose loops are on {@code loop}, left without consuming anything for a new state. */
  private void leave(int loop) {
    int next = newState();
    epsilon.set(loop, next);
    current = next;
  }

  /** One given character. */
  void literal(char c) {
    int next = newState();
    edge(current, c, next);
    current = next;
  }

  /** {@code ?}: one character but {@code /}. */
  void oneNotSlash() {
    int next = newState();
    edge(current, NOT_SLASH, next);
    current = next;
  }

  /** {@code *}: any run of characters within a segment. */
  void runNotSlash() {
    edge(current, NOT_SLASH, current);
    leave(current);
  }

  /** {@code **} alone: anything at all. */
  void anything() {
    edge(current, ANY, current);
    leave(current);
  }

  /** A leading or middle {@code **}: zero or more whole segments, each followed by its {@code /}. */
  void segmentsEachThenSlash() {
    int start = current;
    int inSegment = newState();
    edge(start, NOT_SLASH, inSegment);
    edge(inSegment, NOT_SLASH, inSegment);
    edge(inSegment, '/', start);
    leave(start);
  }

  /** A trailing {@code /**}: one or more whole segments, each after its {@code /}. */
  void slashThenSegments() {
    int slash = newState();
    int inSegment = newState();
    edge(current, '/', slash);
    edge(slash, NOT_SLASH, inSegment);
    edge(inSegment, NOT_SLASH, inSegment);
    edge(inSegment, '/', slash);
    leave(inSegment);
  }

  /**
   * Sets of states are words of bits, two per call reused for every character: a retention run
   * matches each of a namespace's tags against each rule, and a set allocated per character made
   * most of its garbage.
   */
  boolean matches(String path) {
    int words = (transitions.size() + 63) >>> 6;
    long[] states = new long[words];
    long[] next = new long[words];
    add(states, 0);
    close(states);
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      Arrays.fill(next, 0);
      boolean any = false;
      for (int s = nextState(states, 0); s >= 0; s = nextState(states, s + 1)) {
        for (int[] t : transitions.get(s)) {
          if (t[0] == ANY || (t[0] == NOT_SLASH ? c != '/' : t[0] == c)) {
            add(next, t[1]);
            any = true;
          }
        }
      }
      if (!any) {
        return false;
      }
      close(next);
      long[] done = states;
      states = next;
      next = done;
    }
    return holds(states, current);
  }

  /** Adds the states each state is also without consuming a character (an epsilon leads to a later state). */
  private void close(long[] states) {
    for (int s = nextState(states, 0); s >= 0; s = nextState(states, s + 1)) {
      for (int e = epsilon.get(s); e >= 0 && !holds(states, e); e = epsilon.get(e)) {
        add(states, e);
      }
    }
  }

  private static void add(long[] states, int state) {
    states[state >>> 6] |= 1L << state;
  }

  private static boolean holds(long[] states, int state) {
    return (states[state >>> 6] & (1L << state)) != 0;
  }

  /** The first state at or after {@code from} in the set, or -1. */
  private static int nextState(long[] states, int from) {
    int word = from >>> 6;
    if (word >= states.length) {
      return -1;
    }
    long bits = states[word] & (-1L << from);
    while (bits == 0) {
      if (++word == states.length) {
        return -1;
      }
      bits = states[word];
    }
    return (word << 6) + Long.numberOfTrailingZeros(bits);
  }
}
