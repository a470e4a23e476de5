package scn.data.synth;

import java.util.SplittableRandom;

/**
 * Something that moves through the synthetic scene: a labelled car or pedestrian, or an unlabelled
 * distractor. Positions are in world pixels moving at constant velocity from a start time; the camera's
 * drift is subtracted when drawing, so objects and background move relative to each other.
 *
 * <p>Each kind draws itself with {@link Canvas} primitives and reports its bounding box at a time, which is
 * exactly the extent of what it draws (a pedestrian's box follows the swing of the limbs).
 */
abstract sealed class Actor permits Actor.Car, Actor.RearCar, Actor.Pedestrian, Actor.Blob, Actor.Bar, Actor.Crate {
    final int track; // unique per sequence; written to the box file
    final int cls; // 0 car, 1 pedestrian, -1 distractor (never labelled)
    final double depth; // larger is nearer: drawn later, occludes
    final double t0; // seconds
    final double x0; // world position at t0: the centre, or the feet for a pedestrian
    final double y0;
    final double vx; // px/s
    final double vy;

    Actor(int track, int cls, double depth, double t0, double x0, double y0, double vx, double vy) {
        this.track = track;
        this.cls = cls;
        this.depth = depth;
        this.t0 = t0;
        this.x0 = x0;
        this.y0 = y0;
        this.vx = vx;
        this.vy = vy;
    }

    double x(double t) {
        return x0 + vx * (t - t0);
    }

    double y(double t) {
        return y0 + vy * (t - t0);
    }

    /** Paints (or stamps ids of) the actor at time {@code t} with the camera at {@code (ex, ey)}. */
    abstract void draw(Canvas c, double t, double ex, double ey);

    /** The screen box {@code (x, y, w, h)} at time {@code t}. */
    abstract double[] box(double t, double ex, double ey);

    static float signedContrast(SplittableRandom rnd, double lo, double hi) {
        return (float) ((lo + rnd.nextDouble() * (hi - lo)) * (rnd.nextBoolean() ? 1 : -1));
    }

    /** A car seen from the side: body, cabin with windows, turning wheels, a lamp at the front. */
    static final class Car extends Actor {
        final double w;
        final double h;
        final int facing; // +1 drives right
        final double cabinFrom;
        final double cabinTo;
        final float body;
        final float window;
        final float tyre;
        final float hub;

        Car(
                int track,
                double depth,
                double t0,
                double x0,
                double y0,
                double vx,
                double vy,
                double w,
                SplittableRandom rnd) {
            super(track, 0, depth, t0, x0, y0, vx, vy);
            this.w = w;
            this.h = w * (0.36 + rnd.nextDouble() * 0.2);
            this.facing = vx >= 0 ? 1 : -1;
            this.cabinFrom = 0.18 + rnd.nextDouble() * 0.15;
            this.cabinTo = 0.62 + rnd.nextDouble() * 0.22;
            this.body = signedContrast(rnd, 0.5, 1.1);
            this.window = (float) (body > 0 ? -0.4 - rnd.nextDouble() * 0.6 : 0.3 + rnd.nextDouble() * 0.7);
            this.tyre = (float) (-1.0 - rnd.nextDouble() * 0.5);
            this.hub = (float) (-0.3 + rnd.nextDouble() * 0.6);
        }

        @Override
        void draw(Canvas c, double t, double ex, double ey) {
            double cx = x(t) - ex;
            double top = y(t) - ey - h / 2;
            double left = cx - w / 2;
            double wheelR = Math.min(0.21 * h, 0.12 * w);
            // Cabin first so the body's upper edge cuts across it, as a car's shoulder line does.
            double u0 = facing > 0 ? 1 - cabinTo : cabinFrom;
            double u1 = facing > 0 ? 1 - cabinFrom : cabinTo;
            double cabCx = left + w * (u0 + u1) / 2;
            double cabHw = w * (u1 - u0) / 2;
            c.roundedBox(cabCx, top + 0.24 * h, cabHw, 0.2 * h, 0.12 * h, body * 0.9f, 0f);
            c.roundedBox(cabCx, top + 0.26 * h, cabHw - 0.04 * w, 0.13 * h, 0.05 * h, window, 0f);
            c.capsule(cabCx, top + 0.12 * h, cabCx, top + 0.4 * h, 0.025 * w, body * 0.9f);
            c.roundedBox(cx, top + 0.62 * h, w / 2, 0.23 * h, 0.1 * h, body, (float) (0.6 / h));
            double lampX = facing > 0 ? left + w - 0.03 * w : left + 0.03 * w;
            c.ellipse(lampX, top + 0.52 * h, 0.025 * w + 1, 0.05 * h + 1, 1.3f);
            double angle = -facing * (x(t) - x0) / Math.max(1, wheelR);
            c.wheel(left + 0.2 * w, top + h - wheelR, wheelR, tyre, hub, angle);
            c.wheel(left + 0.8 * w, top + h - wheelR, wheelR, tyre, hub, angle);
        }

        @Override
        double[] box(double t, double ex, double ey) {
            return new double[] {x(t) - ex - w / 2, y(t) - ey - h / 2, w, h};
        }
    }

    /** A car seen from behind (or the front), growing or shrinking as it moves away or closer. */
    static final class RearCar extends Actor {
        final double w0;
        final double aspect;
        final double growth; // 1/s: log size changes linearly
        final float body;
        final float window;
        final float lamp;

        RearCar(
                int track,
                double depth,
                double t0,
                double x0,
                double y0,
                double vx,
                double vy,
                double w,
                SplittableRandom rnd) {
            super(track, 0, depth, t0, x0, y0, vx, vy);
            this.w0 = w;
            this.aspect = 0.72 + rnd.nextDouble() * 0.2;
            this.growth = (rnd.nextDouble() - 0.5) * 0.3;
            this.body = signedContrast(rnd, 0.5, 1.1);
            this.window = (float) (body > 0 ? -0.5 - rnd.nextDouble() * 0.5 : 0.4 + rnd.nextDouble() * 0.6);
            this.lamp = (float) (0.9 + rnd.nextDouble() * 0.6);
        }

        double width(double t) {
            return Math.max(20, Math.min(120, w0 * Math.exp(growth * (t - t0)))); // the car size range of the data set
        }

        @Override
        void draw(Canvas c, double t, double ex, double ey) {
            double w = width(t);
            double h = w * aspect;
            double cx = x(t) - ex;
            double top = y(t) - ey - h / 2;
            c.roundedBox(cx, top + 0.22 * h, 0.38 * w, 0.2 * h, 0.1 * h, body * 0.9f, 0f);
            c.roundedBox(cx, top + 0.24 * h, 0.32 * w, 0.13 * h, 0.05 * h, window, 0f);
            c.roundedBox(cx - 0.36 * w, top + 0.9 * h, 0.1 * w, 0.1 * h, 0.03 * h, -1.3f, 0f);
            c.roundedBox(cx + 0.36 * w, top + 0.9 * h, 0.1 * w, 0.1 * h, 0.03 * h, -1.3f, 0f);
            c.roundedBox(cx, top + 0.6 * h, w / 2, 0.22 * h, 0.08 * h, body, (float) (0.5 / h));
            c.roundedBox(cx - 0.36 * w, top + 0.52 * h, 0.08 * w, 0.05 * h, 0.02 * h, lamp, 0f);
            c.roundedBox(cx + 0.36 * w, top + 0.52 * h, 0.08 * w, 0.05 * h, 0.02 * h, lamp, 0f);
            c.roundedBox(cx, top + 0.75 * h, 0.12 * w, 0.04 * h, 0, body > 0 ? -0.4f : 0.6f, 0f);
        }

        @Override
        double[] box(double t, double ex, double ey) {
            double w = width(t);
            double h = w * aspect;
            return new double[] {x(t) - ex - w / 2, y(t) - ey - h / 2, w, h};
        }
    }

    /** A walking person seen from the side: head, torso, and arms and legs swinging with the gait. */
    static final class Pedestrian extends Actor {
        final double h;
        final int facing;
        final double phase0;
        final double stride; // px per gait cycle
        final float skin;
        final float shirt;
        final float trousers;
        private final double[] pose = new double[18]; // [9 points][x, y], see pose()

        Pedestrian(
                int track,
                double depth,
                double t0,
                double x0,
                double y0,
                double vx,
                double vy,
                double h,
                SplittableRandom rnd) {
            super(track, 1, depth, t0, x0, y0, vx, vy);
            this.h = h;
            this.facing = vx >= 0 ? 1 : -1;
            this.phase0 = rnd.nextDouble() * 2 * Math.PI;
            this.stride = h * (0.7 + rnd.nextDouble() * 0.3);
            this.skin = signedContrast(rnd, 0.4, 1.0);
            this.shirt = signedContrast(rnd, 0.5, 1.1);
            this.trousers = signedContrast(rnd, 0.5, 1.1);
        }

        /**
         * Screen points: 0 head centre, 1 shoulder, 2 hip, 3/4 near knee/foot, 5/6 far knee/foot, 7/8 near/far hand.
         */
        private double[] pose(double t, double ex, double ey) {
            double speed = Math.hypot(vx, vy);
            double phase = phase0 + 2 * Math.PI * speed * (t - t0) / stride;
            double fx = x(t) - ex;
            double fy = y(t) - ey - 0.02 * h * Math.abs(Math.sin(phase)); // the body rises mid-stride
            double[] p = pose;
            set(p, 0, fx + facing * 0.03 * h, fy - 0.9 * h);
            set(p, 1, fx + facing * 0.02 * h, fy - 0.76 * h);
            set(p, 2, fx, fy - 0.5 * h);
            for (int side = 0; side < 2; side++) {
                double s = side == 0 ? 1 : -1;
                double thigh = s * 0.42 * Math.sin(phase);
                double shin = thigh - 0.55 * Math.max(0, -s * Math.cos(phase)); // the swinging leg folds at the knee
                double kx = p[4] + facing * 0.25 * h * Math.sin(thigh);
                double ky = p[5] + 0.25 * h * Math.cos(thigh);
                set(p, 3 + 2 * side, kx, ky);
                set(p, 4 + 2 * side, kx + facing * 0.25 * h * Math.sin(shin), ky + 0.25 * h * Math.cos(shin));
                double arm = -s * 0.4 * Math.sin(phase);
                set(p, 7 + side, p[2] + facing * 0.33 * h * Math.sin(arm), p[3] + 0.33 * h * Math.cos(arm));
            }
            return p;
        }

        private static void set(double[] p, int i, double x, double y) {
            p[2 * i] = x;
            p[2 * i + 1] = y;
        }

        @Override
        void draw(Canvas c, double t, double ex, double ey) {
            double[] p = pose(t, ex, ey);
            double limb = 0.045 * h;
            c.capsule(p[2], p[3], p[16], p[17], 0.035 * h, shirt * 0.8f); // far arm
            c.capsule(p[4], p[5], p[10], p[11], limb, trousers * 0.8f); // far thigh
            c.capsule(p[10], p[11], p[12], p[13], limb * 0.9, trousers * 0.8f); // far shin
            c.capsule(p[2], p[3], p[4], p[5], 0.09 * h, shirt); // torso
            c.capsule(p[4], p[5], p[6], p[7], limb, trousers); // near thigh
            c.capsule(p[6], p[7], p[8], p[9], limb * 0.9, trousers); // near shin
            c.capsule(p[2], p[3], p[14], p[15], 0.035 * h, shirt); // near arm
            c.ellipse(p[0], p[1], 0.065 * h, 0.075 * h, skin);
        }

        @Override
        double[] box(double t, double ex, double ey) {
            double[] p = pose(t, ex, ey);
            double x0b = p[0] - 0.065 * h;
            double x1b = p[0] + 0.065 * h;
            double y0b = p[1] - 0.075 * h;
            double y1b = p[1];
            double[] radius = {0, 0.09 * h, 0.09 * h, 0.045 * h, 0.0405 * h, 0.045 * h, 0.0405 * h, 0.035 * h, 0.035 * h
            };
            for (int i = 1; i < 9; i++) {
                x0b = Math.min(x0b, p[2 * i] - radius[i]);
                x1b = Math.max(x1b, p[2 * i] + radius[i]);
                y1b = Math.max(y1b, p[2 * i + 1] + radius[i]);
            }
            return new double[] {x0b, y0b, x1b - x0b, y1b - y0b};
        }
    }

    /** Clutter: a wobbling blob (a bird, a bag, a ball) that moves but is neither car nor person. */
    static final class Blob extends Actor {
        final double rx;
        final double ry;
        final double wobble; // rad/s
        final float value;

        Blob(int track, double depth, double t0, double x0, double y0, double vx, double vy, SplittableRandom rnd) {
            super(track, -1, depth, t0, x0, y0, vx, vy);
            this.rx = 3 + rnd.nextDouble() * 20;
            this.ry = rx * (0.5 + rnd.nextDouble());
            this.wobble = 2 + rnd.nextDouble() * 10;
            this.value = signedContrast(rnd, 0.5, 1.1);
        }

        @Override
        void draw(Canvas c, double t, double ex, double ey) {
            double s = 1 + 0.2 * Math.sin(wobble * (t - t0));
            c.ellipse(x(t) - ex, y(t) - ey, rx * s, ry / s, value);
        }

        @Override
        double[] box(double t, double ex, double ey) {
            return new double[] {x(t) - ex - rx * 1.2, y(t) - ey - ry * 1.2, rx * 2.4, ry * 2.4};
        }
    }

    /** Clutter: a spinning bar (a branch, a flag, a turning sign) that moves without travelling far. */
    static final class Bar extends Actor {
        final double length;
        final double radius;
        final double spin; // rad/s
        final float value;

        Bar(int track, double depth, double t0, double x0, double y0, double vx, double vy, SplittableRandom rnd) {
            super(track, -1, depth, t0, x0, y0, vx, vy);
            this.length = 10 + rnd.nextDouble() * 40;
            this.radius = 1.5 + rnd.nextDouble() * 3;
            this.spin = (rnd.nextBoolean() ? 1 : -1) * (1 + rnd.nextDouble() * 5);
            this.value = signedContrast(rnd, 0.5, 1.1);
        }

        @Override
        void draw(Canvas c, double t, double ex, double ey) {
            double a = spin * (t - t0);
            double dx = 0.5 * length * Math.cos(a);
            double dy = 0.5 * length * Math.sin(a);
            double cx = x(t) - ex;
            double cy = y(t) - ey;
            c.capsule(cx - dx, cy - dy, cx + dx, cy + dy, radius, value);
        }

        @Override
        double[] box(double t, double ex, double ey) {
            double r = length / 2 + radius;
            return new double[] {x(t) - ex - r, y(t) - ey - r, 2 * r, 2 * r};
        }
    }

    /**
     * Clutter the size of a car: a plain box (a cart, a sign, a container) moving like traffic. It has a
     * car's size and motion but none of its parts, so only shape tells the two apart.
     */
    static final class Crate extends Actor {
        final double w;
        final double h;
        final float value;
        final float stripe;

        Crate(int track, double depth, double t0, double x0, double y0, double vx, double vy, SplittableRandom rnd) {
            super(track, -1, depth, t0, x0, y0, vx, vy);
            this.w = 20 + rnd.nextDouble() * 60;
            this.h = w * (0.5 + rnd.nextDouble());
            this.value = signedContrast(rnd, 0.5, 1.1);
            this.stripe = rnd.nextBoolean() ? -value * 0.8f : 0f;
        }

        @Override
        void draw(Canvas c, double t, double ex, double ey) {
            double cx = x(t) - ex;
            double cy = y(t) - ey;
            c.roundedBox(cx, cy, w / 2, h / 2, 2, value, (float) (0.4 / h));
            if (stripe != 0) c.roundedBox(cx, cy, w / 2, h * 0.08, 0, stripe, 0f);
        }

        @Override
        double[] box(double t, double ex, double ey) {
            return new double[] {x(t) - ex - w / 2, y(t) - ey - h / 2, w, h};
        }
    }
}
