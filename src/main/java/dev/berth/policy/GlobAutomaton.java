package dev.berth.policy;

import java.util.ArrayList;
import java.util.BitSet;
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

  boolean matches(String path) {
    BitSet states = closure(single(0));
    for (int i = 0; i < path.length() && !states.isEmpty(); i++) {
      char c = path.charAt(i);
      BitSet next = new BitSet(transitions.size());
      for (int s = states.nextSetBit(0); s >= 0; s = states.nextSetBit(s + 1)) {
        for (int[] t : transitions.get(s)) {
          if (t[0] == ANY || (t[0] == NOT_SLASH ? c != '/' : t[0] == c)) {
            next.set(t[1]);
          }
        }
      }
      states = closure(next);
    }
    return states.get(current);
  }

  private BitSet single(int state) {
    BitSet set = new BitSet(transitions.size());
    set.set(state);
    return set;
  }

  private BitSet closure(BitSet states) {
    BitSet closed = (BitSet) states.clone();
    for (int s = states.nextSetBit(0); s >= 0; s = states.nextSetBit(s + 1)) {
      for (int e = epsilon.get(s); e >= 0 && !closed.get(e); e = epsilon.get(e)) {
        closed.set(e);
      }
    }
    return closed;
  }
}
