;;; grove-edn.el --- Safe, bounded EDN text for grove's inline values -*- lexical-binding: t -*-

;; This file is part of grove.  See LICENSE.

;;; Commentary:

;; Nodes send values as EDN text printed by grove's printer, which is made
;; for people, not for the reader: `#object[...]', `#error {...}', `[[#]]'
;; (deeper than `*print-level*') and `{:a 1, ...}' (longer than
;; `*print-length*') do not read back.  grove-mode writes values into the
;; source behind `#_', and the reader still reads what `#_' discards, so a
;; value written there must be readable or the user's form stops working.
;;
;; `grove-edn-safe' turns any printed value into one readable form on one
;; line, at most a given width: unreadable parts become strings, maps get
;; an even number of forms, sets and maps lose duplicates, and a value too
;; long is cut the way `*print-length*' cuts, with `...' (a symbol) where
;; something was left out, every bracket closed.

;;; Code:

(require 'cl-lib)

(define-error 'grove-edn--bad "Unreadable EDN")

(defvar grove-edn--s nil "The text being parsed.")
(defvar grove-edn--i 0 "The parse position in `grove-edn--s'.")

(defconst grove-edn--delimiters " \t\n\r\f,()[]{}\";@^`~\\"
  "Characters that end a token (Clojure's whitespace and terminating macros).")

(defconst grove-edn--delimiter-chars (append grove-edn--delimiters nil)
  "`grove-edn--delimiters' as a list of characters, made once.")

(defconst grove-edn--number-re
  (concat "\\`[-+]?\\(?:"
          "[0-9]+N?"                                   ; integers
          "\\|0[xX][0-9a-fA-F]+N?"                     ; hexadecimal
          "\\|[0-9]+[rR][0-9a-zA-Z]+"                  ; radix
          "\\|[0-9]+\\(?:\\.[0-9]*\\)?\\(?:[eE][-+]?[0-9]+\\)?M?" ; decimals
          "\\)\\'")
  "Numbers the reader accepts (no ratios: grove has none).")

(defconst grove-edn--symbol-re
  "\\`\\(?:/\\|[^0-9:#'/][^/]*\\(?:/[^/]+\\)?\\)\\'"
  "Symbols: not starting with a digit, `:', `#' or a quote; one `/' at most.")

(defconst grove-edn--keyword-re
  "\\`:[^:/][^/]*\\(?:/[^/]+\\)?\\'"
  "Keywords with one colon and at most one `/'.")

(defun grove-edn--escape (text)
  "Return TEXT as a Clojure string literal on one line."
  (concat "\""
          (replace-regexp-in-string
           "[\"\\\n\t\r\f\b[:cntrl:]]"
           (lambda (c)
             (pcase c
               ("\"" "\\\"") ("\\" "\\\\") ("\n" "\\n") ("\t" "\\t")
               ("\r" "\\r") ("\f" "\\f") ("\b" "\\b")
               (_ (format "\\u%04x" (aref c 0)))))
           text t t)
          "\""))

(defun grove-edn--peek (&optional k)
  "Return the character K (default 0) places ahead, or nil at the end."
  (let ((j (+ grove-edn--i (or k 0))))
    (and (< j (length grove-edn--s)) (aref grove-edn--s j))))

(defun grove-edn--skip-space ()
  "Skip whitespace and commas."
  (while (memq (grove-edn--peek) '(?\s ?\t ?\n ?\r ?\f ?,))
    (cl-incf grove-edn--i)))

(defun grove-edn--token ()
  "Read a token (symbol, keyword, number...) and return its text."
  (let ((b grove-edn--i))
    (while (let ((c (grove-edn--peek)))
             (and c (not (memq c grove-edn--delimiter-chars))))
      (cl-incf grove-edn--i))
    (substring grove-edn--s b grove-edn--i)))

(defun grove-edn--string ()
  "Read a string literal at point (after an optional `#'); return its text.
Raw control characters inside are escaped so the result is one line."
  (let ((b grove-edn--i))
    (when (eq (grove-edn--peek) ?#) (cl-incf grove-edn--i))
    (cl-incf grove-edn--i)                  ; the opening quote
    (while (let ((c (grove-edn--peek)))
             (cond ((null c) (signal 'grove-edn--bad '("unterminated string")))
                   ((eq c ?\\) (cl-incf grove-edn--i 2) t)
                   ((eq c ?\") (cl-incf grove-edn--i) nil)
                   (t (cl-incf grove-edn--i) t))))
    (replace-regexp-in-string
     "[\n\t\r\f]"
     (lambda (c) (pcase c ("\n" "\\n") ("\t" "\\t") ("\r" "\\r") (_ "\\f")))
     (substring grove-edn--s b grove-edn--i) t t)))

(defun grove-edn--atom (text)
  "Return an atom node for TEXT, or a string node when it would not read."
  (if (or (member text '("nil" "true" "false" "..."))
          (and (string-match-p "\\`[-+]?[0-9]" text)
               (string-match-p grove-edn--number-re text))
          (and (not (string-match-p "\\`[-+]?[0-9]" text))
               (not (string-match-p ":\\'\\|::" text))
               (or (string-match-p grove-edn--keyword-re text)
                   (string-match-p grove-edn--symbol-re text))))
      (cons 'atom text)
    (cons 'str (grove-edn--escape text))))

(defun grove-edn--full (node)
  "Return the complete text of NODE."
  (pcase (car node)
    ((or 'atom 'str) (cdr node))
    ('pre (concat (nth 1 node) (grove-edn--full (nth 2 node))))
    ('coll
     (let ((open (nth 1 node)) (close (nth 2 node)) (kids (nth 3 node)))
       (concat open (grove-edn--join (grove-edn--map-p open)
                                     (mapcar #'grove-edn--full kids))
               close)))))

(defun grove-edn--map-p (open)
  "Non-nil when a collection opened by OPEN is a map."
  (and (string-suffix-p "{" open) (not (equal open "#{"))))

(defun grove-edn--join (mapp items)
  "Join ITEMS with spaces, and with commas between pairs when MAPP."
  (let ((out nil) (k 0))
    (dolist (it items)
      (when out (push (if (and mapp (cl-evenp k)) ", " " ") out))
      (push it out)
      (cl-incf k))
    (apply #'concat (nreverse out))))

(defun grove-edn--dedupe (mapp kids)
  "Drop repeated set elements or map keys from KIDS (a map when MAPP)."
  (if (null (cdr kids))
      kids
    (let ((seen (make-hash-table :test #'equal :size (length kids))) (out nil))
      (if mapp
          (while kids
            (let* ((k (pop kids)) (v (pop kids)) (text (grove-edn--full k)))
              (unless (gethash text seen)
                (puthash text t seen)
                (push k out) (push v out))))
        (dolist (k kids)
          (let ((text (grove-edn--full k)))
            (unless (gethash text seen)
              (puthash text t seen)
              (push k out)))))
      (nreverse out))))

(defun grove-edn--coll (open close)
  "Read the elements of a collection opened by OPEN up to CLOSE."
  (let ((kids nil) (mapp (grove-edn--map-p open)))
    (while (progn (grove-edn--skip-space)
                  (not (eq (grove-edn--peek) (aref close 0))))
      (when (null (grove-edn--peek))
        (signal 'grove-edn--bad '("unclosed collection")))
      (push (grove-edn--form) kids))
    (cl-incf grove-edn--i)
    (setq kids (nreverse kids))
    (when (and mapp (cl-oddp (length kids)))
      (setq kids (append kids (list (cons 'atom "...")))))
    (when (or mapp (equal open "#{"))
      (setq kids (grove-edn--dedupe mapp kids)))
    (list 'coll open close kids)))

(defun grove-edn--form ()
  "Read one form at `grove-edn--i' and return its node."
  (grove-edn--skip-space)
  (let ((c (grove-edn--peek)))
    (pcase c
      ('nil (signal 'grove-edn--bad '("end of input")))
      (?\( (cl-incf grove-edn--i) (grove-edn--coll "(" ")"))
      (?\[ (cl-incf grove-edn--i) (grove-edn--coll "[" "]"))
      (?{ (cl-incf grove-edn--i) (grove-edn--coll "{" "}"))
      (?\" (cons 'str (grove-edn--string)))
      (?\\ (let ((b grove-edn--i))
             (cl-incf grove-edn--i 2)
             (grove-edn--token)
             (let ((text (substring grove-edn--s b (min grove-edn--i (length grove-edn--s)))))
               (if (string-match-p
                    "\\`\\\\\\(?:.\\|newline\\|space\\|tab\\|return\\|backspace\\|formfeed\\|u[0-9a-fA-F]\\{4\\}\\|o[0-7]\\{1,3\\}\\)\\'"
                    text)
                   (cons 'atom text)
                 (cons 'str (grove-edn--escape text))))))
      (?' (cl-incf grove-edn--i) (list 'pre "'" (grove-edn--form)))
      (?@ (cl-incf grove-edn--i) (list 'pre "@" (grove-edn--form)))
      (?# (grove-edn--dispatch))
      ((or ?\) ?\] ?} ?\; ?^ ?` ?~)
       (signal 'grove-edn--bad (list (format "unexpected %c" c))))
      (_ (grove-edn--atom (grove-edn--token))))))

(defun grove-edn--dispatch ()
  "Read a form starting with `#'."
  (let ((c (grove-edn--peek 1)) (b grove-edn--i))
    (cond
     ((eq c ?{) (cl-incf grove-edn--i 2) (grove-edn--coll "#{" "}"))
     ((eq c ?\") (cons 'atom (grove-edn--string)))
     ((eq c ?#)
      (cl-incf grove-edn--i 2)
      (let ((tok (grove-edn--token)))
        (if (member tok '("Inf" "-Inf" "NaN"))
            (cons 'atom (concat "##" tok))
          (cons 'str (grove-edn--escape (concat "##" tok))))))
     ((eq c ?')
      (cl-incf grove-edn--i 2)
      (let ((tok (grove-edn--token)))
        (if (and (string-match-p grove-edn--symbol-re tok)
                 (not (string-match-p "\\`[-+]?[0-9]" tok)))
            (list 'pre "#'" (cons 'atom tok))
          (cons 'str (grove-edn--escape (concat "#'" tok))))))
     ((eq c ?:)
      (cl-incf grove-edn--i 1)
      (let ((tok (grove-edn--token)))
        (if (and (eq (grove-edn--peek) ?{)
                 (string-match-p grove-edn--keyword-re tok))
            (progn (cl-incf grove-edn--i)
                   (grove-edn--coll (concat "#" tok "{") "}"))
          (signal 'grove-edn--bad '("bad namespaced map")))))
     ((or (null c) (memq c grove-edn--delimiter-chars))
      ;; A bare `#' stands for what `*print-level*' left out.
      (cl-incf grove-edn--i)
      (cons 'atom "..."))
     (t
      ;; A tagged form the reader does not know (#object, #error,
      ;; #grove/unprintable...): the tag and its form become a string.
      (cl-incf grove-edn--i)
      (grove-edn--token)
      (grove-edn--form)
      (cons 'str (grove-edn--escape
                  (replace-regexp-in-string
                   "[ \t\n\r\f]+" " " (substring grove-edn--s b grove-edn--i))))))))

(defun grove-edn-parse (text)
  "Parse TEXT, one printed value, into a node tree.
Anything unreadable in TEXT becomes a string node; when TEXT as a whole
is not one form, the result is TEXT as a string."
  (let ((grove-edn--s text) (grove-edn--i 0))
    (condition-case nil
        (let ((node (grove-edn--form)))
          (grove-edn--skip-space)
          (if (< grove-edn--i (length text))
              (cons 'str (grove-edn--escape text))
            node))
      (grove-edn--bad
       (cons 'str (grove-edn--escape
                   (replace-regexp-in-string "[ \t\n\r\f]+" " " text)))))))

(defun grove-edn--cut-string (lit budget)
  "Cut string literal LIT to at most BUDGET characters, ending in `...\"'.
Return nil when BUDGET is too small."
  (when (>= budget 5)
    (let ((body (substring lit 1 (- (length lit) 1)))
          (keep (- budget 5)))
      (setq body (substring body 0 (min keep (length body))))
      ;; Never end inside an escape: drop a dangling backslash or \uXX.
      (when (string-match "\\\\\\(?:u[0-9a-fA-F]\\{0,3\\}\\|o[0-7]\\{0,2\\}\\)?\\'" body)
        (let ((cut (match-beginning 0)))
          ;; Only when that backslash is not itself escaped.
          (when (cl-evenp (- cut (progn (string-match "\\\\*\\'" (substring body 0 cut))
                                         (match-beginning 0))))
            (setq body (substring body 0 cut)))))
      (concat "\"" body "...\""))))

(defun grove-edn--render (node budget)
  "Return NODE's text in about BUDGET characters at most, or nil.
A cut collection ends with `...' where elements were left out."
  (let ((full (grove-edn--full node)))
    (if (<= (length full) budget)
        full
      (pcase (car node)
        ('atom nil)
        ('str (grove-edn--cut-string (cdr node) budget))
        ('pre (let ((kid (grove-edn--render (nth 2 node)
                                            (- budget (length (nth 1 node))))))
                (and kid (concat (nth 1 node) kid))))
        ('coll (grove-edn--render-coll node budget))))))

(defun grove-edn--render-coll (node budget)
  "Render collection NODE cut to about BUDGET characters, or nil."
  (let* ((open (nth 1 node)) (close (nth 2 node)) (kids (nth 3 node))
         (mapp (grove-edn--map-p open))
         (reserve 8)                    ; room for " ... ..."
         (inner (- budget (length open) (length close)))
         (items nil) (used 0) (marked nil) (k 0))
    (when (>= inner 3)
      (catch 'full
        (dolist (kid kids)
          (let* ((sep (cond ((= k 0) 0) ((and mapp (cl-evenp k)) 2) (t 1)))
                 (text (grove-edn--full kid)))
            (if (<= (+ used sep (length text)) (- inner reserve))
                (progn (push text items) (cl-incf used (+ sep (length text))))
              (let ((part (and (memq (car kid) '(coll str pre))
                               (grove-edn--render kid (- inner used sep reserve)))))
                ;; A part that shows nothing ("..." or [...]) is no better
                ;; than this level's own `...'.
                (when (and part (> (length part) 7))
                  (push part items) (setq marked t)))
              (throw 'full nil))
            (cl-incf k))))
      (unless marked (push "..." items))
      (when (and mapp (cl-oddp (length items))) (push "..." items))
      (concat open (grove-edn--join mapp (nreverse items)) close))))

(defun grove-edn-safe (text &optional width)
  "Return the printed value TEXT as one readable EDN form on one line.
When WIDTH is given, the result is cut to about WIDTH characters."
  (let ((node (grove-edn-parse text)))
    (if (null width)
        (grove-edn--full node)
      (or (grove-edn--render node width)
          ;; An atom longer than WIDTH (a huge number or symbol).
          (grove-edn--cut-string (grove-edn--escape (grove-edn--full node))
                                 (max width 5))))))

(defun grove-edn-key (id)
  "Return node ID (a string) as an EDN map key: a keyword when it can be."
  (if (string-match-p "\\`[a-zA-Z][-a-zA-Z0-9_.*+!?<>=]*\\'" id)
      (concat ":" id)
    (grove-edn--escape id)))

(provide 'grove-edn)
;;; grove-edn.el ends here
