package scn.ops;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.junit.jupiter.api.Test;

/**
 * Float lanes are summed in lane order ({@code Simd.sum}), never with {@code FloatVector.reduceLanes}: that leaves
 * the order open, and the interpreter and the compiled code use different ones, so a kernel's low bits would change
 * once it is compiled, and a resumed run (which starts interpreted again) would not repeat the uninterrupted one.
 */
class LaneOrderTest {
    @Test
    void noFloatReductionLeavesTheLaneOrderOpen() {
        JavaClasses main = new ClassFileImporter()
                .withImportOption(new ImportOption.DoNotIncludeTests())
                .importPackages("scn");
        noClasses()
                .should()
                .callMethod(FloatVector.class, "reduceLanes", VectorOperators.Associative.class)
                .orShould()
                .callMethod(FloatVector.class, "reduceLanes", VectorOperators.Associative.class, VectorMask.class)
                .because("Simd.sum adds the lanes in one fixed order")
                .check(main);
    }
}
