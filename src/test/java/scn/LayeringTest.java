package scn;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The engine's packages form a stack, each layer importing only the layers below it (docs/ARCHITECTURE.md draws
 * it), and no two packages import each other, not even a package and its subpackage. Read from the compiled main
 * classes, so a dependency the compiler keeps cannot slip past, fully qualified names included; and from the main
 * sources' import lines, for what the class files do not show: a constant the compiler inlines, a name only the
 * javadoc uses. The tests' classes are left out.
 */
class LayeringTest {
    /** The layers from the bottom up, each with its packages ({@code ..} takes the subpackages too). */
    private static final Map<String, String[]> LAYERS = new LinkedHashMap<>();

    static {
        LAYERS.put("tensor", new String[] {"scn.tensor"});
        LAYERS.put("backend", new String[] {"scn.backend.."});
        LAYERS.put("ops", new String[] {"scn.ops"});
        LAYERS.put("autograd", new String[] {"scn.autograd"});
        LAYERS.put("nn", new String[] {"scn.nn.."});
        LAYERS.put("model", new String[] {"scn.model.."});
        LAYERS.put("data", new String[] {"scn.data.."});
        LAYERS.put("detect", new String[] {"scn.detect"});
        LAYERS.put("eval", new String[] {"scn.eval"});
        LAYERS.put("dist", new String[] {"scn.dist"});
        LAYERS.put("train", new String[] {"scn.train"});
        LAYERS.put("energy", new String[] {"scn.energy"});
        LAYERS.put("check", new String[] {"scn.check.."});
        LAYERS.put("cli", new String[] {"scn.cli"});
    }

    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+);", Pattern.MULTILINE);
    /** The package part of an import of the engine's: the lower-case names before the first class name. */
    private static final Pattern IMPORT =
            Pattern.compile("^import\\s+(?:static\\s+)?(scn(?:\\.[a-z]\\w*)*)\\.[A-Z]", Pattern.MULTILINE);

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(new ImportOption.DoNotIncludeTests())
            .importPackages("scn");

    @Test
    void everyLayerImportsOnlyTheLayersBelowIt() {
        LayeredArchitecture stack = layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (Map.Entry<String, String[]> e : LAYERS.entrySet())
            stack = stack.layer(e.getKey()).definedBy(e.getValue());
        String[] names = LAYERS.keySet().toArray(String[]::new);
        for (int i = 0; i < names.length; i++) {
            stack = i == 0
                    ? stack.whereLayer(names[i]).mayNotAccessAnyLayer()
                    : stack.whereLayer(names[i]).mayOnlyAccessLayers(Arrays.copyOf(names, i));
        }
        // A new package outside every layer would escape the rule: it must be given a place first.
        stack.ensureAllClassesAreContainedInArchitecture().check(MAIN);
    }

    @Test
    void noPackagesImportEachOther() {
        // One slice per package, subpackages apart: scn.data and scn.data.raw may not import each other either.
        slices().matching("scn.(**)").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void noSourceImportsALayerAboveItsOwn() throws IOException {
        List<String> upward = new ArrayList<>();
        List<Path> sources;
        try (Stream<Path> s = Files.walk(Path.of("src", "main", "java"))) {
            sources = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        for (Path f : sources) {
            String text = Files.readString(f);
            Matcher p = PACKAGE.matcher(text);
            if (!p.find()) fail(f + " has no package line");
            int own = layerOf(p.group(1));
            Matcher m = IMPORT.matcher(text);
            while (m.find()) if (layerOf(m.group(1)) > own) upward.add(f + ": " + m.group(1));
        }
        assertEquals(List.of(), upward, "imports of a layer above the file's own");
        assertTrue(sources.size() > 100, "main sources found: " + sources.size());
    }

    /** The position in {@link #LAYERS} of the layer {@code pkg} belongs to. */
    private static int layerOf(String pkg) {
        int i = 0;
        for (String[] packages : LAYERS.values()) {
            for (String q : packages) {
                boolean below = q.endsWith("..");
                String root = below ? q.substring(0, q.length() - 2) : q;
                if (pkg.equals(root) || below && pkg.startsWith(root + ".")) return i;
            }
            i++;
        }
        return fail(pkg + " belongs to no layer");
    }
}
