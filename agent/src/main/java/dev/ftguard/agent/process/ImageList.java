package dev.ftguard.agent.process;

/** An intrusive doubly-linked list of images, oldest {@link Image#stamp} at the head. */
final class ImageList {
  private final byte tag;
  Image head;
  Image tail;
  int size;

  ImageList(byte tag) {
    this.tag = tag;
  }

  void append(Image im, long stamp) {
    im.stamp = stamp;
    im.list = tag;
    im.prev = tail;
    im.next = null;
    if (tail == null) {
      head = im;
    } else {
      tail.next = im;
    }
    tail = im;
    size++;
  }

  void remove(Image im) {
    if (im.prev == null) {
      head = im.next;
    } else {
      im.prev.next = im.next;
    }
    if (im.next == null) {
      tail = im.prev;
    } else {
      im.next.prev = im.prev;
    }
    im.prev = null;
    im.next = null;
    im.list = Image.NOT_LISTED;
    size--;
  }

  /** Moves {@code im}, a member, to the tail with a new stamp. */
  void moveToTail(Image im, long stamp) {
    if (tail != im) {
      remove(im);
      append(im, stamp);
    } else {
      im.stamp = stamp;
    }
  }
}
