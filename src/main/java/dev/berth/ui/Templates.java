package dev.berth.ui;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;

/**
 * The jte templates under {@code src/main/jte/console}, precompiled by the build. Html content
 * type: every {@code ${...}} is escaped for where it stands, which is what keeps pushed names and
 * annotations inert.
 */
final class Templates {
  private final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);

  String render(String name, Object model) {
    StringOutput output = new StringOutput();
    engine.render("console/" + name + ".jte", model, output);
    return output.toString();
  }
}
