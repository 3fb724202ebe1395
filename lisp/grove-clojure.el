;;; grove-clojure.el --- A small Clojure major mode for grove -*- lexical-binding: t -*-

;; This file is part of grove.  See LICENSE.

;;; Commentary:

;; Debian has no clojure-mode package, so grove ships this fallback:
;; `grove-clojure-mode' gives Clojure's syntax (comments, strings,
;; characters, the four kinds of brackets, commas as whitespace),
;; highlighting of definitions, keywords, the live marker `!' and the
;; `?' forms, and indentation through `lisp-indent-line' with Clojure's
;; usual rules.  grove.el uses it for .clj and .cljc files only when
;; clojure-mode is not installed.

;;; Code:

(require 'lisp-mode)

(defgroup grove-clojure nil
  "The fallback Clojure major mode shipped with grove."
  :group 'grove
  :prefix "grove-clojure-")

(defcustom grove-clojure-indent-specs
  '(("fn" . 1) ("let" . 1) ("loop" . 1) ("when" . 1) ("when-not" . 1)
    ("when-let" . 1) ("if-let" . 1) ("when-some" . 1) ("if-some" . 1)
    ("binding" . 1) ("with-open" . 1) ("doseq" . 1) ("dotimes" . 1)
    ("for" . 1) ("case" . 1) ("condp" . 2) ("try" . 0) ("catch" . 2)
    ("finally" . 0) ("do" . 0) ("locking" . 1) ("future" . 0)
    ("ns" . 1) ("node" . 1) ("context" . 1) ("with-context" . 1)
    ("reify" . defun) ("deftype" . 2) ("defrecord" . 2)
    ("defprotocol" . 1) ("extend-protocol" . 1) ("extend-type" . 1)
    ("letfn" . 1) ("if" . 1) ("comment" . 0) ("go-loop" . 1))
  "How the body of a form is indented, by the form's head symbol.
A number N means N special arguments then a body (see
`lisp-indent-specform'); `defun' means a body after the first
line.  Heads starting with \"def\" or \"with-\" are indented as `defun'."
  :type '(alist :key-type string
                :value-type (choice integer (const defun))))

(defvar grove-clojure-mode-syntax-table
  (let ((st (make-syntax-table)))
    (modify-syntax-entry '(0 . 127) "_" st)
    (modify-syntax-entry '(?0 . ?9) "w" st)
    (modify-syntax-entry '(?a . ?z) "w" st)
    (modify-syntax-entry '(?A . ?Z) "w" st)
    (modify-syntax-entry ?\s " " st)
    (modify-syntax-entry ?\t " " st)
    (modify-syntax-entry ?\f " " st)
    (modify-syntax-entry ?\r " " st)
    (modify-syntax-entry ?, " " st)
    (modify-syntax-entry ?\n ">" st)
    (modify-syntax-entry ?\; "<" st)
    (modify-syntax-entry ?\" "\"" st)
    (modify-syntax-entry ?\\ "\\" st)
    (modify-syntax-entry ?\( "()" st)
    (modify-syntax-entry ?\) ")(" st)
    (modify-syntax-entry ?\[ "(]" st)
    (modify-syntax-entry ?\] ")[" st)
    (modify-syntax-entry ?{ "(}" st)
    (modify-syntax-entry ?} "){" st)
    (modify-syntax-entry ?' "'" st)
    (modify-syntax-entry ?` "'" st)
    (modify-syntax-entry ?~ "'" st)
    (modify-syntax-entry ?@ "'" st)
    (modify-syntax-entry ?^ "'" st)
    (modify-syntax-entry ?# "'" st)
    st)
  "Syntax table of `grove-clojure-mode' (grove also scans code with it).")

(defconst grove-clojure--symbol "[^][(){}\"'`~@^;,[:space:]\\\\]+"
  "A regexp matching one Clojure symbol.")

(defvar grove-clojure-font-lock-keywords
  `(;; (defn name ...), (def name ...), (defonce name ...)
    (,(concat "(\\(def[^][(){}\"[:space:]]*\\)[[:space:]]+\\(?:\\^[^[:space:]]+[[:space:]]+\\)?\\("
              grove-clojure--symbol "\\)")
     (1 font-lock-keyword-face) (2 font-lock-function-name-face))
    ;; special forms and common macros
    (,(concat "(" (regexp-opt '("fn" "let" "loop" "recur" "if" "when" "when-not"
                                "cond" "condp" "case" "do" "try" "catch" "finally"
                                "throw" "quote" "var" "ns" "binding" "doseq"
                                "dotimes" "for" "if-let" "when-let" "and" "or"
                                "letfn" "node" "context" "with-context" "spawn")
                              t)
              "\\_>")
     (1 font-lock-keyword-face))
    ;; the query forms (? ...), (?> ...), (?>> ...)
    ("(\\(\\?>\\{0,2\\}\\)\\_>" (1 font-lock-builtin-face))
    ;; the live marker `!' in front of a top-level form
    ("^\\(!\\)[[({]" (1 font-lock-warning-face))
    ;; keywords
    (,(concat "\\_<:\\{1,2\\}" grove-clojure--symbol) . font-lock-constant-face)
    ;; nil, true, false
    ("\\_<\\(nil\\|true\\|false\\)\\_>" . font-lock-constant-face)
    ;; #_ discards
    ("#_" . font-lock-comment-delimiter-face))
  "Highlighting for `grove-clojure-mode'.")

(defun grove-clojure-indent-function (indent-point state)
  "Indent a Clojure form: the variable `lisp-indent-function' of the mode.
INDENT-POINT and STATE are as for the function `lisp-indent-function'."
  (let ((open (elt state 1)))
    (if (and open (not (eq (char-after open) ?\()))
        ;; Vectors, maps and sets line up with their first element.
        (save-excursion (goto-char open) (1+ (current-column)))
      (let* ((head (save-excursion
                     (goto-char (1+ open))
                     (buffer-substring-no-properties
                      (point) (progn (skip-syntax-forward "w_") (point)))))
             (spec (cdr (assoc head grove-clojure-indent-specs))))
        (cond
         ((integerp spec) (lisp-indent-specform spec state indent-point
                                                (current-column)))
         ((or (eq spec 'defun)
              (string-match-p "\\`\\(?:def\\|with-\\)" head))
          (lisp-indent-defform state indent-point))
         (t (lisp-indent-function indent-point state)))))))

;;;###autoload
(define-derived-mode grove-clojure-mode prog-mode "Clojure"
  "A small major mode for Clojure code, shipped with grove.
Used for .clj and .cljc files when clojure-mode is not installed.

\\{grove-clojure-mode-map}"
  :syntax-table grove-clojure-mode-syntax-table
  (setq-local comment-start ";; ")
  (setq-local comment-start-skip ";+ *")
  (setq-local comment-end "")
  (setq-local comment-add 1)
  (setq-local indent-line-function #'lisp-indent-line)
  (setq-local lisp-indent-function #'grove-clojure-indent-function)
  (setq-local parse-sexp-ignore-comments t)
  (setq-local font-lock-defaults '(grove-clojure-font-lock-keywords nil nil)))

(provide 'grove-clojure)
;;; grove-clojure.el ends here
