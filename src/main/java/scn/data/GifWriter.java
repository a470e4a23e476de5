package scn.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/**
 * An animated GIF written frame by frame through {@code javax.imageio}'s GIF writer, looping forever,
 * each frame shown for the same time. Frames go to the file as they come, so memory holds one frame.
 *
 * <p>Why a GIF and not an H.264 MP4: the JDK writes GIFs itself, so the engine needs no further
 * dependency (the pure-Java H.264 encoder on Maven Central, jcodec 0.2.5, dates from 2019, adds 2 MB
 * and encodes baseline profile only); a GIF plays in every browser and image viewer; and pictures of
 * events are a few flat colours, which a 256-colour palette holds exactly and LZW compresses well.
 * What it costs: files grow with the recording's length (no motion compensation), and delays are whole
 * hundredths of a second (some viewers slow frames shorter than 2/100 s down to 1/10 s).
 */
public final class GifWriter implements AutoCloseable {
    private static final String FORMAT = "javax_imageio_gif_image_1.0";

    private final Path path;
    private final ImageOutputStream out;
    private final ImageWriter writer;
    private final int delayCentis;
    private int frames;

    private GifWriter(Path path, ImageOutputStream out, ImageWriter writer, int delayCentis) {
        this.path = path;
        this.out = out;
        this.writer = writer;
        this.delayCentis = delayCentis;
    }

    /** Creates (or replaces) {@code path}; each frame shows for {@code frameMillis}, in whole 1/100 s (at least 1). */
    public static GifWriter create(Path path, long frameMillis) throws IOException {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("gif");
        if (!writers.hasNext()) throw new IOException("this Java runtime has no GIF writer (javax.imageio)");
        ImageWriter writer = writers.next();
        Files.deleteIfExists(path); // the stream below overwrites, but would leave a longer old file's tail
        ImageOutputStream out = ImageIO.createImageOutputStream(path.toFile());
        if (out == null) throw new IOException(path + ": cannot be opened for writing");
        writer.setOutput(out);
        writer.prepareWriteSequence(null);
        return new GifWriter(path, out, writer, (int) Math.max(1, Math.round(frameMillis / 10.0)));
    }

    /** Appends one frame. */
    public void add(BufferedImage frame) throws IOException {
        ImageWriteParam param = writer.getDefaultWriteParam();
        IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(frame), param);
        IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(FORMAT);
        IIOMetadataNode control = child(root, "GraphicControlExtension");
        control.setAttribute("disposalMethod", "none");
        control.setAttribute("userInputFlag", "FALSE");
        control.setAttribute("transparentColorFlag", "FALSE");
        control.setAttribute("delayTime", Integer.toString(delayCentis));
        control.setAttribute("transparentColorIndex", "0");
        if (frames == 0) {
            // Netscape's application extension in the first frame makes viewers loop; 0 = forever.
            IIOMetadataNode app = new IIOMetadataNode("ApplicationExtension");
            app.setAttribute("applicationID", "NETSCAPE");
            app.setAttribute("authenticationCode", "2.0");
            app.setUserObject(new byte[] {1, 0, 0});
            child(root, "ApplicationExtensions").appendChild(app);
        }
        meta.setFromTree(FORMAT, root);
        writer.writeToSequence(new IIOImage(frame, null, meta), param);
        frames++;
    }

    public Path path() {
        return path;
    }

    /** Frames written so far. */
    public int frames() {
        return frames;
    }

    /** Ends the file; without a frame there is no GIF to end, and the file is removed (callers say so). */
    @Override
    public void close() throws IOException {
        try {
            if (frames > 0) writer.endWriteSequence();
        } finally {
            writer.dispose();
            out.close();
            if (frames == 0) Files.deleteIfExists(path);
        }
    }

    /** The child node {@code name} of {@code root}, created when missing. */
    private static IIOMetadataNode child(IIOMetadataNode root, String name) {
        for (int i = 0; i < root.getLength(); i++) {
            if (root.item(i).getNodeName().equals(name)) return (IIOMetadataNode) root.item(i);
        }
        IIOMetadataNode node = new IIOMetadataNode(name);
        root.appendChild(node);
        return node;
    }
}
