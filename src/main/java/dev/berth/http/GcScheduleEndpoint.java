package dev.berth.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cleanup.GcOptions;
import dev.berth.cleanup.GcSchedule;
import dev.berth.config.Durations;
import dev.berth.metadata.GcScheduleRecord;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /api/v1/gc/schedule}: GET the schedule in force, PUT a new one; the caller is a system
 * administrator (the admin handler checked). A PUT names every field it changes and keeps the
 * others: {@code {"cron":"0 3 * * *","enabled":true,"deleteUntagged":false,"grace":"24h"}}.
 */
final class GcScheduleEndpoint {
  private final GcSchedule schedule;

  GcScheduleEndpoint(GcSchedule schedule) {
    this.schedule = schedule;
  }

  void handle(Exchange ex, String actor) throws IOException {
    switch (ex.method()) {
      case "GET" -> {
        ex.route("admin_gc_schedule");
        ex.json(200, toMap(schedule.current()));
      }
      case "PUT" -> {
        ex.route("admin_gc_schedule_set");
        JsonNode body = AdminError.readBody(ex);
        GcScheduleRecord current = schedule.current();
        try {
          ex.json(200, toMap(schedule.set(actor, body.path("cron").asText(current.cron()),
              body.path("enabled").asBoolean(current.enabled()),
              body.path("deleteUntagged").asBoolean(current.deleteUntagged()),
              body.hasNonNull("grace") ? Durations.parse(body.get("grace").asText()) : current.grace())));
        } catch (IllegalArgumentException e) {
          throw new AdminError(400, e.getMessage());
        }
      }
      default -> throw new AdminError(405, "use GET or PUT");
    }
  }

  private static Map<String, Object> toMap(GcScheduleRecord record) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("cron", record.cron());
    map.put("enabled", record.enabled());
    map.put("deleteUntagged", record.deleteUntagged());
    map.put("grace", GcOptions.text(record.grace()));
    boolean configured = record.updatedBy().equals(GcSchedule.CONFIGURATION);
    map.put("source", configured ? "configuration" : "stored");
    map.put("updatedBy", configured ? null : record.updatedBy());
    map.put("updatedAt", configured ? null : record.updatedAt().toString());
    return map;
  }
}
