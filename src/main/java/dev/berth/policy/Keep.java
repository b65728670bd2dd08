package dev.berth.policy;

/**
 * What a retention rule keeps of the images it covers, counted per repository. Counts and days are
 * never negative; zero keeps nothing, which makes a rule that deletes everything it covers.
 */
public sealed interface Keep {

  /** The document's key for this criterion. */
  String key();

  /** The {@code n} most recently pushed covered images of each repository. */
  record MostRecentlyPushed(int count) implements Keep {
    public MostRecentlyPushed {
      requireNotNegative(count, "mostRecentlyPushed");
    }

    @Override
    public String key() {
      return "mostRecentlyPushed";
    }
  }

  /** The {@code n} most recently pulled covered images of each repository; never pulled is least recent. */
  record MostRecentlyPulled(int count) implements Keep {
    public MostRecentlyPulled {
      requireNotNegative(count, "mostRecentlyPulled");
    }

    @Override
    public String key() {
      return "mostRecentlyPulled";
    }
  }

  /** The covered images pushed within the last {@code days} days. */
  record PushedWithinDays(int days) implements Keep {
    public PushedWithinDays {
      requireNotNegative(days, "pushedWithinDays");
    }

    @Override
    public String key() {
      return "pushedWithinDays";
    }
  }

  /** The covered images pulled within the last {@code days} days; a never-pulled image is not. */
  record PulledWithinDays(int days) implements Keep {
    public PulledWithinDays {
      requireNotNegative(days, "pulledWithinDays");
    }

    @Override
    public String key() {
      return "pulledWithinDays";
    }
  }

  /** Every covered image. */
  record Always() implements Keep {
    @Override
    public String key() {
      return "always";
    }
  }

  private static void requireNotNegative(int value, String key) {
    if (value < 0) {
      throw new InvalidPolicyException(key + " must not be negative, was " + value);
    }
  }
}
