package scn.data.synth;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import scn.data.Boxes;

/**
 * One synthetic street recording: a textured background seen by a slowly drifting camera, cars (side
 * and rear views) and walking pedestrians entering, crossing and leaving the frame at varied speeds and
 * directions, unlabelled moving clutter (wobbling blobs, spinning bars, plain car-sized crates), and
 * poles in front of everything. Every random choice is drawn from the generator given at construction,
 * so a scene is a pure function of its seed.
 *
 * <p>Labels are GEN1-like: a box per visible car or pedestrian at each label time with its track id. An
 * object counts as visible when at least {@value #MIN_VISIBLE} of its in-frame pixels are not hidden by
 * nearer objects or poles and at least {@value #MIN_IN_FRAME} of its box lies inside the frame; the
 * box is clipped to the frame.
 */
final class Scene {
    static final double MIN_VISIBLE = 0.3;
    static final double MIN_IN_FRAME = 0.2;
    private static final double BACKGROUND_PARALLAX = 0.7; // the background is farther than the objects
    private static final double POLE_PARALLAX = 1.4; // the poles are nearer

    private final int width;
    private final int height;
    private final Texture texture;
    private final double textureX;
    private final double textureY;
    private final double egoVx; // px/s drift of the camera
    private final double egoVy;
    private final double egoAx; // px amplitude of a slow sway
    private final double egoAy;
    private final double egoFreq; // Hz
    private final double egoPhase;
    private final double[] poleX; // [poles] world x of the left edge
    private final double[] poleW; // [poles]
    private final float[] poleV; // [poles]
    private final List<Actor> actors = new ArrayList<>(); // far to near
    private int nextTrack = 1;

    Scene(SplittableRandom rnd, int width, int height, double duration) {
        this.width = width;
        this.height = height;
        this.texture = Texture.generate(rnd, 0.2 + 0.8 * rnd.nextDouble());
        this.textureX = rnd.nextInt(Texture.SIZE);
        this.textureY = rnd.nextInt(Texture.SIZE);
        this.egoVx = rnd.nextDouble() < 0.2 ? 0 : (rnd.nextDouble() * 2 - 1) * 25;
        this.egoVy = (rnd.nextDouble() * 2 - 1) * 6;
        this.egoAx = rnd.nextDouble() * 8;
        this.egoAy = rnd.nextDouble() * 4;
        this.egoFreq = 0.1 + rnd.nextDouble() * 0.4;
        this.egoPhase = rnd.nextDouble() * 2 * Math.PI;
        int poles = rnd.nextDouble() < 0.5 ? 0 : 1 + rnd.nextInt(2);
        poleX = new double[poles];
        poleW = new double[poles];
        poleV = new float[poles];
        for (int i = 0; i < poles; i++) {
            poleX[i] = rnd.nextDouble() * (width + 100) - 50;
            poleW[i] = 4 + rnd.nextDouble() * 10;
            poleV[i] = Actor.signedContrast(rnd, 0.4, 0.9);
        }
        int initial = 1 + rnd.nextInt(4);
        for (int i = 0; i < initial; i++) actors.add(object(rnd, 0, true));
        for (double t = exponential(rnd, 0.7); t < duration; t += exponential(rnd, 0.7))
            actors.add(object(rnd, t, false));
        int clutter = rnd.nextInt(5);
        for (int i = 0; i < clutter; i++) actors.add(distractor(rnd, 0, true));
        for (double t = exponential(rnd, 0.6); t < duration; t += exponential(rnd, 0.6))
            actors.add(distractor(rnd, t, false));
        actors.sort(Comparator.comparingDouble(a -> a.depth));
    }

    double egoX(double t) {
        return egoVx * t + egoAx * Math.sin(2 * Math.PI * egoFreq * t + egoPhase);
    }

    double egoY(double t) {
        return egoVy * t + egoAy * Math.sin(2 * Math.PI * egoFreq * 0.7 * t + egoPhase);
    }

    /** A car or pedestrian appearing at time {@code t}: inside the frame, or just outside an edge moving in. */
    private Actor object(SplittableRandom rnd, double t, boolean inside) {
        double kind = rnd.nextDouble();
        double depth = rnd.nextDouble();
        int dir = rnd.nextBoolean() ? 1 : -1;
        if (kind < 0.45) {
            double w = logUniform(rnd, 30, 120);
            double speed = 30 + rnd.nextDouble() * 170;
            double angle = (rnd.nextDouble() * 2 - 1) * 0.35;
            double h = w * 0.46;
            double cy = h / 2 + rnd.nextDouble() * Math.max(1, height - h);
            double cx = inside ? rnd.nextDouble() * width : (dir > 0 ? -w / 2 - 2 : width + w / 2 + 2);
            return new Actor.Car(
                    nextTrack++,
                    depth,
                    t,
                    cx + egoX(t),
                    cy + egoY(t),
                    dir * speed * Math.cos(angle),
                    speed * Math.sin(angle),
                    w,
                    rnd);
        }
        if (kind < 0.6) {
            double w = logUniform(rnd, 30, 100);
            double vx = dir * (8 + rnd.nextDouble() * 35);
            double vy = (rnd.nextDouble() * 2 - 1) * 8;
            double cy = w * 0.45 + rnd.nextDouble() * Math.max(1, height - w * 0.9);
            double cx = inside ? rnd.nextDouble() * width : (dir > 0 ? -w / 2 - 2 : width + w / 2 + 2);
            return new Actor.RearCar(nextTrack++, depth, t, cx + egoX(t), cy + egoY(t), vx, vy, w, rnd);
        }
        double h = logUniform(rnd, 25, 90);
        double speed = (25 + rnd.nextDouble() * 50) * Math.sqrt(h / 60);
        double angle = (rnd.nextDouble() * 2 - 1) * 0.4;
        double feet = h + rnd.nextDouble() * Math.max(1, height - h);
        double fx = inside ? rnd.nextDouble() * width : (dir > 0 ? -0.3 * h : width + 0.3 * h);
        return new Actor.Pedestrian(
                nextTrack++,
                depth,
                t,
                fx + egoX(t),
                feet + egoY(t),
                dir * speed * Math.cos(angle),
                speed * Math.sin(angle),
                h,
                rnd);
    }

    /** Unlabelled clutter appearing at time {@code t}. */
    private Actor distractor(SplittableRandom rnd, double t, boolean inside) {
        double angle = rnd.nextDouble() * 2 * Math.PI;
        double speed = 5 + rnd.nextDouble() * 150;
        double sx = inside ? rnd.nextDouble() * width : (Math.cos(angle) > 0 ? -20 : width + 20);
        double sy = rnd.nextDouble() * height;
        double depth = rnd.nextDouble();
        double vx = speed * Math.cos(angle);
        double vy = speed * Math.sin(angle);
        double kind = rnd.nextDouble();
        if (kind < 0.4) return new Actor.Blob(nextTrack++, depth, t, sx + egoX(t), sy + egoY(t), vx, vy, rnd);
        if (kind < 0.7)
            return new Actor.Bar(nextTrack++, depth, t, sx + egoX(t), sy + egoY(t), vx * 0.3, vy * 0.3, rnd);
        double speed2 = 20 + rnd.nextDouble() * 120; // crates move like traffic: mostly sideways
        int dir = Math.cos(angle) > 0 ? 1 : -1;
        return new Actor.Crate(
                nextTrack++, depth, t, sx + egoX(t), sy + egoY(t), dir * speed2, (rnd.nextDouble() - 0.5) * 20, rnd);
    }

    private boolean onScreen(Actor a, double t, double ex, double ey) {
        if (t < a.t0) return false;
        double[] b = a.box(t, ex, ey);
        return b[0] < width + 2 && b[1] < height + 2 && b[0] + b[2] > -2 && b[1] + b[3] > -2;
    }

    /** Paints the camera's log-intensity image at time {@code t} (seconds) into {@code c.value}. */
    void render(Canvas c, double t) {
        double ex = egoX(t);
        double ey = egoY(t);
        c.paintMode();
        texture.view(textureX + BACKGROUND_PARALLAX * ex, textureY + BACKGROUND_PARALLAX * ey, c.value, width, height);
        for (Actor a : actors) {
            if (onScreen(a, t, ex, ey)) a.draw(c, t, ex, ey);
        }
        drawPoles(c, ex);
    }

    private void drawPoles(Canvas c, double ex) {
        for (int i = 0; i < poleX.length; i++) {
            double x0 = poleX[i] - POLE_PARALLAX * ex;
            c.pole(x0, x0 + poleW[i], poleV[i], 0.3f);
        }
    }

    /** Appends to {@code out} the box of every visible car and pedestrian at time {@code tUs}. */
    void labels(Canvas c, long tUs, Boxes out) {
        double t = tUs * 1e-6;
        double ex = egoX(t);
        double ey = egoY(t);
        int[] ids = c.ids;
        Arrays.fill(ids, -1);
        for (int i = 0; i < actors.size(); i++) {
            Actor a = actors.get(i);
            if (!onScreen(a, t, ex, ey)) continue;
            c.idMode(i);
            a.draw(c, t, ex, ey);
        }
        c.idMode(-2);
        drawPoles(c, ex);
        int[] visible = new int[actors.size()]; // [actors] unoccluded pixels
        for (int id : ids) {
            if (id >= 0) visible[id]++;
        }
        for (int i = 0; i < actors.size(); i++) {
            Actor a = actors.get(i);
            if (a.cls < 0 || !onScreen(a, t, ex, ey) || visible[i] == 0) continue;
            double[] b = a.box(t, ex, ey);
            double inX = Math.min(width, b[0] + b[2]) - Math.max(0, b[0]);
            double inY = Math.min(height, b[1] + b[3]) - Math.max(0, b[1]);
            if (inX <= 0 || inY <= 0 || inX * inY < MIN_IN_FRAME * b[2] * b[3]) continue;
            Arrays.fill(ids, -1);
            c.idMode(i);
            a.draw(c, t, ex, ey);
            int own = 0;
            for (int id : ids) {
                if (id == i) own++;
            }
            if (own > 0 && visible[i] >= MIN_VISIBLE * own) {
                // The label is the part inside the frame, as an annotator draws it: a box reaching past
                // the edge can never be matched by a detector, whose boxes are clipped to the frame.
                double x0 = Math.max(0, b[0]), y0 = Math.max(0, b[1]);
                out.add(tUs, (float) x0, (float) y0, (float) inX, (float) inY, a.cls, a.track, 1f);
            }
        }
    }

    private static double exponential(SplittableRandom rnd, double rate) {
        return -Math.log(1 - rnd.nextDouble()) / rate;
    }

    private static double logUniform(SplittableRandom rnd, double lo, double hi) {
        return lo * Math.exp(rnd.nextDouble() * Math.log(hi / lo));
    }
}
