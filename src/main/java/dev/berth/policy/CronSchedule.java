package dev.berth.policy;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

/**
 * A UNIX cron expression ({@code 0 2 * * *}): a policy's schedule and the GC's ({@code gc.schedule},
 * {@code cleanup.GcSchedule}) are parsed here alike.
 */
public record CronSchedule(String expression) {
  private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  public CronSchedule {
    executionTime(expression);
  }

  public ExecutionTime executionTime() {
    return executionTime(expression);
  }

  private static ExecutionTime executionTime(String expression) {
    try {
      return ExecutionTime.forCron(PARSER.parse(expression));
    } catch (RuntimeException e) {
      // Not only IllegalArgumentException: cron-utils 9 fails on some malformed expressions with
      // others ("a| |wo": ArrayIndexOutOfBoundsException; seed cron-pipes of PolicyDocumentFuzzTest).
      throw new InvalidPolicyException("invalid cron expression " + PathPattern.quote(String.valueOf(expression))
          + ": " + e.getMessage());
    }
  }

  @Override
  public String toString() {
    return expression;
  }
}
