package scn.nn;

import java.util.List;
import scn.autograd.Functional;
import scn.autograd.Parameter;
import scn.autograd.Var;

/**
 * A ResNet basic block in SpikingJelly's {@code spiking_resnet} layout: the residual sum enters the
 * second neuron, so the block outputs spikes. {@code y = act2(bn2(conv2(act1(bn1(conv1(x))))) + shortcut(x))},
 * with {@code shortcut = downsample.bn(downsample.conv_1x1(x))} when the shape changes.
 */
final class BasicBlock {
    final String name;
    final ConvBnAct first;
    final ConvBnAct second;
    final Parameter downsampleWeight; // null when the shortcut is the identity
    final BatchNorm downsampleBn;
    final int stride;

    BasicBlock(ParameterStore store, String name, boolean spiking, int cin, int cout, int stride) {
        this.name = name;
        this.stride = stride;
        first = new ConvBnAct(
                store, name + ".conv1", name + ".bn1", name + ".plif1", spiking, cin, cout, 3, stride, 1, 1, false);
        second = new ConvBnAct(
                store, name + ".conv2", name + ".bn2", name + ".plif2", spiking, cout, cout, 3, 1, 1, 1, false);
        if (stride != 1 || cin != cout) {
            downsampleWeight =
                    store.parameter(name + ".downsample.conv.weight", store.kaimingNormal(cout, cin, 1, 1), true);
            downsampleBn = new BatchNorm(store, name + ".downsample.bn", cout);
        } else {
            downsampleWeight = null;
            downsampleBn = null;
        }
    }

    Var forward(Var x, boolean training) {
        Var shortcut = x;
        if (downsampleWeight != null) {
            if (Probe.watching()) {
                BatchNorm bn = downsampleBn;
                var op = new Layer.Shortcut(
                        downsampleWeight,
                        stride,
                        bn.weight,
                        bn.bias,
                        bn.runningMean.value(),
                        bn.runningVar.value(),
                        BatchNorm.MOMENTUM,
                        BatchNorm.EPS,
                        training);
                shortcut = Probe.layer(
                        new Layer(
                                name + ".downsample",
                                List.of("x"),
                                List.of(downsampleWeight, bn.weight, bn.bias),
                                op,
                                in -> downsample(in[0], training)),
                        x);
            } else {
                shortcut = downsample(x, training);
            }
        }
        Var y = second.forward(first.forward(x, training), shortcut, training);
        Probe.add(name + ".residual", y);
        return y;
    }

    /** {@code downsample.bn(downsample.conv_1x1_stride(x))}: the shortcut when the shape changes. */
    private Var downsample(Var x, boolean training) {
        Var conv = Functional.conv2d(x, downsampleWeight, stride, 0, 1);
        Probe.conv(downsampleWeight, x, conv, stride, 0, 1);
        return downsampleBn.forward(conv, training);
    }

    long parameterCount() {
        long n = first.parameterCount() + second.parameterCount();
        if (downsampleWeight != null)
            n += downsampleWeight.value().size()
                    + 2L * downsampleBn.weight.value().size();
        return n;
    }
}
