/* The word boxes of one pdfium text page, which words pdfium ran over two lines or gave as one where one string
 * was drawn over another, and which way each runs, in one call from Python (pdf_worker._native_columns).
 *
 * Why C: two ctypes calls a word plus Python's field reads cost ~0.2 ms a bill, a sixth of pdfium's
 * whole text extraction; here the loop costs about what pdfium's box lookups cost. It must give exactly
 * what pdf_worker._python_words gives, so it splits the text as str.split() does and takes each word's
 * box as that loop does. pdfium's functions come in as pointers from pypdfium2, so this file needs
 * neither pdfium's nor Python's headers and links against nothing.
 *
 * Build: cc -O2 -ffp-contract=off -shared -fPIC -o build/_wordboxes.so common/extraction/bills/wordboxes.c -lm
 * (`make` does it; no fused multiply-add, so its arithmetic rounds as Python's does).
 */
#include <math.h>
#include <stdint.h>

/* pdfium's FS_RECTF, in its declared order (fpdfview.h; pypdfium2.raw.FS_RECTF). */
typedef struct {
    float left, top, right, bottom;
} rect_f;

typedef int (*char_box_fn)(void *textpage, int index, rect_f *rect);
typedef int (*char_index_fn)(void *textpage, int text_index);
typedef float (*char_angle_fn)(void *textpage, int index);
typedef int (*char_origin_fn)(void *textpage, int index, double *x, double *y);
typedef int (*is_generated_fn)(void *textpage, int index);
typedef int (*tight_box_fn)(void *textpage, int index, double *left, double *right, double *bottom, double *top);

/* str.isspace() over the BMP: no code point past U+FFFF is whitespace, and no surrogate is. */
static int is_space(uint16_t c) {
    if (c <= 0x20)
        return c == 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
    if (c < 0x85)
        return 0;
    return c == 0x85 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 ||
           c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

/* Units in the code point at text[i]: 2 for a surrogate pair, else 1 (a lone surrogate decodes to one
 * U+FFFD under Python's errors="replace", so it is one code point of one unit, as in pdf_worker). */
static int units_at(const uint16_t *text, int i, int length) {
    return (text[i] & 0xfc00) == 0xd800 && i + 1 < length && (text[i + 1] & 0xfc00) == 0xdc00 ? 2 : 1;
}

/* The span of `box` across a line whose characters pdfium turns by an angle (cos, sin): its corners
 * projected on the line's normal. pdfium's angles turn clockwise: the line runs along (cos, -sin). */
static void span_across(rect_f box, double cos_a, double sin_a, double *low, double *high) {
    double p1 = cos_a * box.bottom + sin_a * box.left, p2 = cos_a * box.bottom + sin_a * box.right;
    double p3 = cos_a * box.top + sin_a * box.left, p4 = cos_a * box.top + sin_a * box.right;
    double lo = p1 < p2 ? p1 : p2, hi = p1 > p2 ? p1 : p2;
    double lo2 = p3 < p4 ? p3 : p4, hi2 = p3 > p4 ? p3 : p4;
    *low = lo2 < lo ? lo2 : lo;
    *high = hi2 > hi ? hi2 : hi;
}

/* Where a character stands across its line: its origin, on the line's baseline, projected on the line's normal;
 * and its height across it, its box's span there (low to high). 0 where pdfium has no origin for it. */
static int across(void *textpage, char_origin_fn char_origin, int index, double low, double high, double cos_a,
                  double sin_a, double *place, double *height) {
    double x, y;
    if (!char_origin(textpage, index, &x, &y))
        return 0;
    *place = cos_a * y + sin_a * x;
    *height = high - low;
    return 1;
}

/* Whether a word's first and last characters stand on two lines: pdfium ran the words of neighbouring
 * lines together (on a page a little off level, `21` over `1` became `211`). A line's characters overlap
 * across the direction it runs in, which the first character's angle gives: height on a level page,
 * width on a sideways one, both ways on a diagonal watermark. Boxes that share height and width need no
 * angle; a level character (angle 0, the usual one) needs no trigonometry. Off level, boxes of tightly set
 * lines overlap across (each is the box around a turned character), so there the characters' origins,
 * which sit on their lines' baselines, also tell: more than half a character's height apart across the line
 * (`TO` over `2nd` read `TO2nd` at 2.5 degrees). Apart only when provably so: a NaN coordinate shares. */
static int on_two_lines(void *textpage, double angle, char_origin_fn char_origin, int first_index, int last_index,
                        rect_f first, rect_f last) {
    int share_height = !(first.bottom >= last.top || last.bottom >= first.top);
    int share_width = !(first.left >= last.right || last.left >= first.right);
    if (share_height && share_width)
        return 0;
    if (angle < 0.0)
        return 0; /* pdfium has no angle for it: no evidence either way */
    if (angle == 0.0)
        return !share_height;
    double cos_a = cos(angle), sin_a = sin(angle), first_low, first_high, last_low, last_high;
    span_across(first, cos_a, sin_a, &first_low, &first_high);
    span_across(last, cos_a, sin_a, &last_low, &last_high);
    if (first_low >= last_high || last_low >= first_high)
        return 1;
    double first_across, first_height, last_across, last_height;
    if (!across(textpage, char_origin, first_index, first_low, first_high, cos_a, sin_a, &first_across,
                &first_height) ||
        !across(textpage, char_origin, last_index, last_low, last_high, cos_a, sin_a, &last_across, &last_height))
        return 0;
    double taller = first_height > last_height ? first_height : last_height;
    return fabs(last_across - first_across) > 0.5 * taller;
}

/* Whether a level word's characters were drawn over one another: a character starting inside the one before
 * it by more than DRAWN_OVER_BY of the smaller height (a loose box's height, about 1.15 of the type's size), a
 * string drawn over another with no space between, which pdfium gives as one word (`Your account number` run 5
 * points into `A-23B33C38`). Over 3,360 generated bills, kerning (`Yo`) moved a character back 0.12 of that
 * height at most, and strings drawn over one another overlapped by 0.22 or more. Only a word whose first and
 * last characters share height, running left to right, is looked at, and only where its first character is
 * level or off it by less than LEVEL_ENOUGH radians (a scan's text layer): a turned character's box is the box
 * around it, and the boxes of a diagonal watermark's letters overlap. A NaN coordinate tells nothing. No kerning sets
 * type of one size into type of another: a character SIZE_JUMP times taller or shorter than the one before (by their
 * boxes' heights, each over a point) starting inside it by more than SIZED_OVER_BY of the smaller height was drawn
 * over it too (fourth-41-0043's phone number in 9.5 points, 1.9 points, 0.17, inside its 22-point name's last
 * letter: `Sewer1-800-862-8822`). */
static const double DRAWN_OVER_BY = 0.2, LEVEL_ENOUGH = 0.1, FULL_TURN = 6.283185307179586; /* 2 pi, as Python's */
static const double SIZE_JUMP = 1.6, SIZED_OVER_BY = 0.05;

static int other_size(double height, double other) {
    return height > 1.0 && other > 1.0 && (height > SIZE_JUMP * other || other > SIZE_JUMP * height);
}

static int drawn_over(void *textpage, char_box_fn char_box, double angle, int first, int last, rect_f first_box,
                      rect_f last_box) {
    if (first_box.bottom >= last_box.top || last_box.bottom >= first_box.top || !(last_box.left > first_box.left))
        return 0;
    rect_f previous = first_box, box;
    for (int i = first + 1; i <= last; i++) {
        if (i == last)
            box = last_box;
        else if (!char_box(textpage, i, &box))
            continue;
        double height = (double)box.top - box.bottom, previous_height = (double)previous.top - previous.bottom;
        double scale = height < previous_height ? height : previous_height;
        if (scale <= 1.0)
            scale = height > previous_height ? height : previous_height;
        if (!(scale > 1.0))
            scale = 1.0;
        double gap = (double)box.left - previous.right;
        if (gap < -DRAWN_OVER_BY * scale || (gap < -SIZED_OVER_BY * scale && other_size(height, previous_height)))
            return angle >= 0.0 && (angle < LEVEL_ENOUGH || angle > FULL_TURN - LEVEL_ENOUGH);
        previous = box;
    }
    return 0;
}

/* How far apart a level word's characters were set (letter spacing, PDF's `Tc`): the gap between its first two
 * characters' boxes and between its last two, the smaller, where both pass TRACKED of its first character's
 * height; else 0. pdfium's loose boxes are a glyph's width, so untracked characters abut (kerning sets some a
 * little into the one before). Letter spacing is added after every glyph, a word's last and a space included: two
 * words of a phrase set 1.5 points apart in 8-point Courier stand 7.8 points apart (the spacing after the word, a
 * space of 4.8, the spacing after the space), past the gap that splits a line into cells. A letter-spaced word's
 * box takes in the spacing after its last glyph, as its advance does, and, after a space drawn in its string (not
 * one pdfium put between two strings), the space's: its gap to a word of its string is a space's again, whether
 * that word is letter-spaced or too short to tell (`VAT @ 9%`), and to a string drawn after it, what its producer
 * set. Only a word whose first and last characters share height, running left to right, level or off it by less
 * than LEVEL_ENOUGH radians, is looked at; a NaN tells nothing. */
static const double TRACKED = 0.1;

static double letter_spacing(void *textpage, char_box_fn char_box, double angle, int first, int last,
                             rect_f first_box, rect_f last_box) {
    double height = (double)first_box.top - first_box.bottom;
    if (first_box.bottom >= last_box.top || last_box.bottom >= first_box.top || !(last_box.left > first_box.left) ||
        !(height > 1.0))
        return 0.0;
    double least = TRACKED * height;
    rect_f second = last_box, before_last = first_box;
    if (first + 1 != last && !char_box(textpage, first + 1, &second))
        return 0.0;
    double spacing = (double)second.left - first_box.right;
    if (!(spacing > least))
        return 0.0;
    if (last - 1 != first) {
        if (last - 1 == first + 1)
            before_last = second;
        else if (!char_box(textpage, last - 1, &before_last))
            return 0.0;
        double end = (double)last_box.left - before_last.right;
        if (!(end > least))
            return 0.0;
        if (end < spacing)
            spacing = end;
    }
    return angle >= 0.0 && (angle < LEVEL_ENOUGH || angle > FULL_TURN - LEVEL_ENOUGH) ? spacing : 0.0;
}

/* Which way a word runs, from its first character's angle: the quarter turn it is set at (0 level, 1 to 3 a
 * quarter, a half and three quarters clockwise, as pdfium turns), ASKEW when it is further than ASKEW_BY radians
 * from every quarter (a watermark across the page, a stamp), UNKNOWN_TURN when pdfium has no angle for it. A scan's
 * text layer a few degrees off level is level here. pdf_worker._turn_of, operation for operation. */
static const double QUARTER_TURN = 1.5707963267948966, ASKEW_BY = 0.2; /* pi / 2, as Python's */
enum { ASKEW = 4, UNKNOWN_TURN = 255 };

static uint8_t turn_of(double angle) {
    if (!(angle >= 0.0))
        return UNKNOWN_TURN;
    double quarters = floor(angle / QUARTER_TURN + 0.5);
    if (fabs(angle - quarters * QUARTER_TURN) > ASKEW_BY)
        return ASKEW;
    return (uint8_t)((int)quarters % 4);
}

/* A word whose box is its glyphs': pdfium gives a character's loose box (its font's ascent to descent at its size)
 * only where the font says them. A Type 3 font says neither (Chrome draws synthesized small capitals in one), and
 * pdfium gives the glyph's own box, as high as its ink: `read` in small capitals 3.5 points high beside `Previous`'s
 * 8.1, set apart as a cell in type of another size (`Previous | read | 52,290`), and such bills lost their meters'
 * reads and their charges' heading. A word shorter than NARROW of the word before it (`previous`, whose first
 * character is `previous_first`), beside it on its line, whose first character's loose box is its tight box
 * (FPDFText_GetCharBox), both words level, is given the word before's box around its own baseline (its first
 * character's origin): small capitals are the line's type, drawn smaller. Never less than it had.
 * pdf_worker._glyph_box_sized, operation for operation. */
static const double NARROW = 0.75;

static void glyph_box_sized(void *textpage, tight_box_fn tight_box, char_origin_fn char_origin, int first,
                            rect_f first_box, uint8_t turn, int previous_first, float previous_bottom,
                            float previous_top, uint8_t previous_turn, float *bottom, float *top) {
    double height = (double)*top - *bottom, previous_height = (double)previous_top - previous_bottom;
    if (!(height < NARROW * previous_height) || !(*bottom < previous_top && previous_bottom < *top))
        return;
    double left, right, low, high;
    if (!tight_box(textpage, first, &left, &right, &low, &high) || !(left == first_box.left) ||
        !(right == first_box.right) || !(low == first_box.bottom) || !(high == first_box.top))
        return;
    double x, y, previous_x, previous_y;
    if (turn != 0 || previous_turn != 0 || !char_origin(textpage, first, &x, &y) ||
        !char_origin(textpage, previous_first, &previous_x, &previous_y))
        return;
    double sized_bottom = y - (previous_y - previous_bottom), sized_top = y + (previous_top - previous_y);
    if (sized_bottom < *bottom)
        *bottom = (float)sized_bottom;
    if (sized_top > *top)
        *top = (float)sized_top;
}

/* Split `text` (UTF-16, `length` units) into words as str.split() does. For word k, set status_out[k] to KEPT
 * (or JOINED, when on_two_lines; or DRAWN_OVER, when drawn_over: Python reads such a page and splits the word where
 * two strings drawn meet; or SPACED, kept, when letter_spacing finds it letter-spaced or it is the third or later of
 * one-character words one space apart: Python looks for letters pdfium spaced apart on such a page) and append its
 * box to boxes_out (left, bottom, right, top; a letter-spaced word's taking in the spacing around it,
 * letter_spacing; a word of glyphs' own boxes given the height of the word before, glyph_box_sized), or set it to
 * SKIPPED when pdfium has no box for it. Set turns_out[k] to the way it runs (turn_of
 * of its first character's angle, which the checks above are given; UNKNOWN_TURN where its first or last position
 * maps to no character). A word's first and last positions are the
 * text indices (UTF-16 units) where its first and last code points start, since pdfium counts a surrogate pair as
 * two text indices; when `aligned` is 0 they are mapped to character indices first. Returns the number of kept
 * words, or -1 past max_words (nothing is written past max_words words): the caller knows every word was kept and
 * none was missed when the result equals its own word count. */
enum { KEPT = 1, SKIPPED = 2, JOINED = 3, DRAWN_OVER = 4, SPACED = 5 };

int word_boxes(void *textpage, char_box_fn char_box, char_index_fn char_index, char_angle_fn char_angle,
               char_origin_fn char_origin, is_generated_fn is_generated, tight_box_fn tight_box,
               const uint16_t *text, int length, int aligned, float *boxes_out, uint8_t *status_out,
               uint8_t *turns_out, int max_words) {
    int words = 0, kept = 0, i = 0, previous_last = -2, singles = 0;
    int previous_first = -1; /* the word kept before, for glyph_box_sized: -1 for none (or one on two lines) */
    float previous_bottom = 0.0f, previous_top = 0.0f;
    uint8_t previous_turn = UNKNOWN_TURN;
    rect_f rect, first_box;
    /* Text indices are characters' (no glyph without Unicode, no surrogate pair): each character of a word can be
     * looked at in turn. */
    int plain = aligned;
    for (int j = 0; plain && j < length; j++)
        if (units_at(text, j, length) == 2)
            plain = 0;
    while (i < length) {
        if (is_space(text[i])) {
            i++;
            continue;
        }
        int first = i, last = i;
        while (i < length && !is_space(text[i])) {
            last = i;
            i += units_at(text, i, length);
        }
        if (words == max_words)
            return -1;
        int k = words++;
        turns_out[k] = UNKNOWN_TURN;
        /* one-character words in a row, one unit of space apart (`C U R R E N T`, on a plain page) */
        singles = plain && first == last ? (first == previous_last + 2 ? singles + 1 : 1) : 0;
        previous_last = last;
        if (!aligned) {
            first = char_index(textpage, first);
            last = char_index(textpage, last);
            if (first < 0 || last < 0) {
                status_out[k] = SKIPPED;
                continue;
            }
        }
        double angle = char_angle(textpage, first);
        turns_out[k] = turn_of(angle);
        if (!char_box(textpage, first, &rect)) {
            status_out[k] = SKIPPED;
            continue;
        }
        first_box = rect;
        float left = rect.left, bottom = rect.bottom, first_right = rect.right, top = rect.top;
        if (!char_box(textpage, last, &rect)) {
            status_out[k] = SKIPPED;
            continue;
        }
        float right = rect.right, last_bottom = rect.bottom, last_left = rect.left, last_top = rect.top;
        /* The box around the first and last characters: a word running down a sideways page a little off
         * level has its first character further across than its last, and one on an upside-down page ends
         * left of where it begins. A box still reversed (or with a NaN end) keeps no width. The Python
         * loop's comparisons, operand for operand, so NaNs fall the same way. */
        if (last_left < left)
            left = last_left;
        if (first_right > right)
            right = first_right;
        if (!(right >= left))
            right = left;
        boxes_out[0] = left;
        boxes_out[1] = last_bottom < bottom ? last_bottom : bottom;
        boxes_out[2] = right;
        boxes_out[3] = last_top > top ? last_top : top;
        boxes_out += 4;
        if (first == last)
            status_out[k] = singles >= 3 ? SPACED : KEPT;
        else if (on_two_lines(textpage, angle, char_origin, first, last, first_box, rect))
            status_out[k] = JOINED;
        else if (plain && drawn_over(textpage, char_box, angle, first, last, first_box, rect))
            status_out[k] = DRAWN_OVER;
        else {
            status_out[k] = KEPT;
            double spacing = plain ? letter_spacing(textpage, char_box, angle, first, last, first_box, rect) : 0.0;
            if (spacing > 0.0) {
                status_out[k] = SPACED;
                if (first > 0 && is_space(text[first - 1]) && is_generated(textpage, first - 1) == 0)
                    boxes_out[-4] = (float)((double)boxes_out[-4] - spacing);
                boxes_out[-2] = (float)((double)boxes_out[-2] + spacing);
            }
        }
        if (status_out[k] == JOINED || status_out[k] == DRAWN_OVER) {
            previous_first = -1;
        } else {
            if (previous_first >= 0)
                glyph_box_sized(textpage, tight_box, char_origin, first, first_box, turns_out[k], previous_first,
                                previous_bottom, previous_top, previous_turn, &boxes_out[-3], &boxes_out[-1]);
            previous_first = first;
            previous_bottom = boxes_out[-3];
            previous_top = boxes_out[-1];
            previous_turn = turns_out[k];
        }
        kept++;
    }
    return kept;
}
