package dev.berth.cli;

import dev.berth.config.ConfigException;
import dev.berth.server.StartFailure;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.MissingArgumentException;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.apache.commons.cli.UnrecognizedOptionException;
import org.apache.commons.cli.help.HelpFormatter;
import org.apache.commons.cli.help.OptionFormatter;
import org.apache.commons.cli.help.TableDefinition;
import org.apache.commons.cli.help.TextHelpAppendable;
import org.apache.commons.cli.help.TextStyle;

/**
 * What every berth command shares, so that none repeats it: commons-cli parses the arguments,
 * {@code -h/--help} and {@code -V/--version} work on every command, and a mistake on the command
 * line is one line on stderr, a pointer to the help, and exit status 2.
 */
final class Cli {
  private Cli() {}

  /**
   * Runs {@code command}, called {@code path} on the command line ("berth user add"), with the
   * arguments after its name. A failure at run time propagates.
   */
  static int run(String path, Command command, List<String> args, PrintStream out, PrintStream err) throws Exception {
    try {
      // An option before any command name is the group's own (-h, -V) or a mistake commons-cli reports.
      if (command instanceof Commands commands && !args.isEmpty() && !args.getFirst().startsWith("-")) {
        String name = args.getFirst();
        List<String> rest = args.subList(1, args.size());
        if (name.equals("help")) {
          List<String> helpOf = new ArrayList<>(rest);
          helpOf.add("--help");
          return run(path, command, helpOf, out, err);
        }
        return run(path + " " + name, commands.named(name), rest, out, err);
      }
      CommandLine line = parse(command, args);
      if (line.hasOption("help")) {
        help(path, command, out);
        return 0;
      }
      if (line.hasOption("version")) {
        out.println(version());
        return 0;
      }
      List<String> arguments = line.getArgList();
      List<String> parameters = command.parameters();
      if (arguments.size() < parameters.size()) {
        throw new ParseException("missing " + String.join(" ", parameters.subList(arguments.size(), parameters.size())));
      }
      if (arguments.size() > parameters.size()) {
        throw new ParseException("unexpected argument '" + arguments.get(parameters.size()) + "'");
      }
      return command.run(line);
    } catch (ParseException e) {
      err.println(path + ": " + problem(e));
      err.println("See '" + path + " --help'.");
      return ExitStatus.USAGE.code;
    } catch (ConfigException e) {
      e.problems().forEach(problem -> err.println(path + ": configuration error: " + problem));
      return ExitStatus.CONFIG.code;
    } catch (StartFailure e) {
      err.println(path + ": " + e.getMessage());
      debugTrace(e, err);
      return switch (e.reason()) {
        case DIRECTORY_UNUSABLE -> ExitStatus.CANNOT_WRITE.code;
        case ADDRESS_IN_USE, DIRECTORY_IN_USE, DATABASE_UNUSABLE -> ExitStatus.UNAVAILABLE.code;
      };
    } catch (CommandFailure e) {
      err.println(path + ": " + e.getMessage());
      e.details.forEach(detail -> err.println(path + ": " + detail));
      debugTrace(e, err);
      return e.status.code;
    }
  }

  /**
   * Whether failures print their stack trace: with {@code log.level: debug} (or trace) in the
   * configuration a command read. Set once the settings are loaded; a failure before that has no
   * stack worth showing.
   */
  private static volatile boolean traces;

  static void showTraces(boolean show) {
    traces = show;
  }

  static void debugTrace(Throwable failure, PrintStream err) {
    if (traces) {
      failure.printStackTrace(err);
    }
  }

  /**
   * The command's arguments as commons-cli parses them. Every option value is converted here, so
   * that a value its option cannot take is a usage error before the command does anything.
   */
  static CommandLine parse(Command command, List<String> args) throws ParseException {
    // Long options only by their full names, as before: an abbreviation that works today would
    // silently change meaning, or become ambiguous, when an option is added.
    CommandLine line = DefaultParser.builder().setAllowPartialMatching(false).get()
        .parse(options(command), args.toArray(String[]::new));
    for (Option option : line.getOptions()) {
      try {
        line.getParsedOptionValue(option);
      } catch (ParseException e) {
        throw new ParseException("invalid value '" + option.getValue() + "' for " + name(option));
      }
    }
    return line;
  }

  private static Options options(Command command) {
    return command.options()
        .addOption("h", "help", false, "show this help and exit")
        .addOption("V", "version", false, "print the version and exit");
  }

  /** commons-cli's own messages name options without their dashes ("Missing argument for option: c"). */
  private static String problem(ParseException e) {
    return switch (e) {
      case UnrecognizedOptionException unknown -> "unknown option '" + unknown.getOption() + "'";
      case MissingArgumentException missing -> name(missing.getOption()) + " needs a value (" + missing.getOption().getArgName() + ")";
      default -> e.getMessage();
    };
  }

  private static String name(Option option) {
    return (option.getOpt() == null ? "" : "-" + option.getOpt() + "/") + "--" + option.getLongOpt();
  }

  private static void help(String path, Command command, PrintStream out) throws IOException {
    Options options = options(command);
    StringBuilder rendered = new StringBuilder();
    TextHelpAppendable text = new TextHelpAppendable(rendered);
    text.setLeftPad(0);
    text.setIndent(0);
    text.setMaxWidth(80);
    // "--role=<ROLE>" in the usage line, so that it wraps between options, never inside one
    HelpFormatter help = HelpFormatter.builder().setShowSince(false).setHelpAppendable(text)
        .setOptionFormatBuilder(OptionFormatter.builder().setOptArgSeparator("=")).get();
    help.setSyntaxPrefix("Usage:");
    List<String> parameters = command instanceof Commands ? List.of("COMMAND") : command.parameters();
    String usage = String.join(" ", path, help.toSyntaxOptions(options), String.join(" ", parameters)).strip();
    // One paragraph: commons-cli indents what follows a line break as if the line had wrapped.
    help.printHelp(usage, command.description().replace('\n', ' '), options, null, false);
    if (command instanceof Commands commands) {
      List<List<String>> rows = new ArrayList<>();
      commands.all().forEach((name, named) -> rows.add(List.of(name, named.get().description().lines().findFirst().orElseThrow())));
      rows.add(List.of("help", "Show a command's help: " + path + " help COMMAND"));
      TextStyle names = TextStyle.builder().setIndent(1).setScalable(false).get();
      TextStyle summaries = TextStyle.builder().setLeftPad(2).get();
      text.appendTable(TableDefinition.from("", List.of(names, summaries), List.of("Commands", "Description"), rows));
    }
    List<List<String>> statuses = new ArrayList<>();
    for (ExitStatus status : ExitStatus.values()) {
      statuses.add(List.of(String.valueOf(status.code), status.meaning));
    }
    TextStyle codes = TextStyle.builder().setIndent(1).setScalable(false).get();
    TextStyle meanings = TextStyle.builder().setLeftPad(2).get();
    text.appendTable(TableDefinition.from("", List.of(codes, meanings), List.of("Exit status", "Meaning"), statuses));
    // commons-cli pads every table cell to its column's width
    out.print(rendered.toString().replaceAll("(?m) +$", ""));
  }

  private static String version() {
    String version = Main.class.getPackage().getImplementationVersion();
    return "berth " + (version == null ? "development build" : version);
  }
}
