;;; grove-live-tests.el --- grove-mode against a real broker and nodes -*- lexical-binding: t -*-

;;; Commentary:

;; Each test starts its own broker and nodes (`grove-test-with-cluster'),
;; types into a real buffer in `grove-mode' and waits for what the nodes
;; send back to show up in the buffer.

;;; Code:

(require 'grove-test-helpers)

(defun grove-test--annotation-of (query)
  "The #_{...} text written into the (? :QUERY ...) form, or nil."
  (save-excursion
    (goto-char (point-min))
    (when (re-search-forward (concat "(\\?>\\{0,2\\} :" (regexp-quote query) "[ )]") nil t)
      (let* ((r (grove--query-at (match-beginning 0)))
             (ann (and r (grove--annotation-range (car r) (cdr r)))))
        (and ann (buffer-substring-no-properties (car ann) (cdr ann)))))))

(ert-deftest grove-live-value-appears-rewrite ()
  "Typing a live ? form makes every node's value appear in the form."
  (grove-test-with-cluster grove-test-two-nodes
    (insert "(ns user)\n\n")
    (insert "!(? :sum (+ 1 2))")
    (should (grove-test-wait (lambda () (grove-test-has "#_{:alpha 3, :beta 3, :editor 3}"))))
    (should (equal (buffer-string) "(ns user)\n\n!(? :sum (+ 1 2) #_{:alpha 3, :beta 3, :editor 3})"))
    ;; The rewrite changed nothing deployable: no value comes again.
    (let ((n (length (grove-test-values "sum"))))
      (grove-test-pause 0.4)
      (should (= n (length (grove-test-values "sum")))))
    ;; Changing the expression updates the values in place.
    (goto-char (point-min))
    (search-forward "(+ 1 2")
    (delete-char -1)
    (insert "5")
    (goto-char (point-max))
    (setq grove--last-edit 0.0)
    (should (grove-test-wait (lambda () (grove-test-has "#_{:alpha 6, :beta 6, :editor 6}"))))
    (should (= 1 (how-many "#_" (point-min) (point-max))))))

(ert-deftest grove-live-queries-without-id ()
  "? forms without a keyword are known by position, several on one line too."
  (grove-test-with-cluster grove-test-two-nodes
    (insert "!(? (* 2 3))\n!(do (? (+ 1 1)) (? (+ 2 2)))\n"
            "!(-> 5 (?> :in) (+ 3) (?>))\n!(->> [1 2] (?>>) (map inc) (?>> :out))\n")
    (should (grove-test-wait (lambda () (grove-test-has "(\\? (\\* 2 3) #_{:alpha 6, :beta 6, :editor 6})"))))
    (should (grove-test-wait (lambda () (grove-test-has "(\\? (\\+ 1 1) #_{:alpha 2, :beta 2, :editor 2})"))))
    (should (grove-test-wait (lambda () (grove-test-has "(\\? (\\+ 2 2) #_{:alpha 4, :beta 4, :editor 4})"))))
    (should (grove-test-wait (lambda () (grove-test-has "(\\?> :in #_{:alpha 5, :beta 5, :editor 5})"))))
    (should (grove-test-wait (lambda () (grove-test-has "(\\?> #_{:alpha 8, :beta 8, :editor 8})"))))
    (should (grove-test-wait (lambda () (grove-test-has "(\\?>> #_{:alpha \\[1 2\\], :beta \\[1 2\\], :editor \\[1 2\\]})"))))
    (should (grove-test-wait (lambda () (grove-test-has "(\\?>> :out #_{:alpha (2 3), :beta (2 3), :editor (2 3)})"))))))

(ert-deftest grove-live-long-value-cut-full-value-shown ()
  "A long value is cut in the form; `grove-show-value' shows all of it."
  (grove-test-with-cluster grove-test-two-nodes
    (let ((grove-value-max-width 20))
      (insert "!(? :long (vec (range 50)))\n!(? :obj (atom 1))\n")
      (should (grove-test-wait (lambda () (grove-test-has "#_{:alpha \\[0 1 2 [0-9 ]*\\.\\.\\.\\], "))))
      (should (grove-test-wait (lambda () (grove-test-has "(\\? :obj (atom 1) #_{:alpha \"#object\\[[^\"]*\\.\\.\\.\", "))))
      (goto-char (point-min))
      (search-forward "(? :long")
      (grove-show-value)
      (with-current-buffer "*grove-value*"
        (should (grove-test-has "^\\[alpha\\] "))
        (should (grove-test-has "^\\[0 1 2 3 .* 48 49\\]$"))
        (should (grove-test-has ":node :beta")))
      (kill-buffer "*grove-value*"))))

(ert-deftest grove-live-value-appears-overlay ()
  "In overlay mode the values show after the form; the text is not touched."
  (grove-test-with-cluster grove-test-two-nodes
    (let ((grove-display 'overlay))
      (insert "!(? :sum (* 6 7))\n")
      (let ((text (buffer-string)))
        (should (grove-test-wait
                 (lambda ()
                   (cl-some (lambda (o) (let ((s (overlay-get o 'after-string)))
                                          (and s (string-match-p "{:alpha 42, :beta 42, :editor 42}" s))))
                            (overlays-in (point-min) (point-max))))))
        (should (equal text (buffer-string)))))))

(ert-deftest grove-live-definition-edit-updates-users ()
  "Editing a definition updates the values of the forms that use it."
  (grove-test-with-cluster grove-test-two-nodes
    (insert "(defn f [x] (* x 2))\n\n!(? :r (f 5))\n")
    (should (grove-test-wait (lambda () (grove-test-has "#_{:alpha 10, :beta 10, :editor 10}"))))
    (goto-char (point-min))
    (search-forward "(* x 2")
    (delete-char -1)
    (insert "3")
    (should (grove-test-wait (lambda () (grove-test-has "#_{:alpha 15, :beta 15, :editor 15}"))))
    (should (equal (buffer-substring (point-min) (line-end-position)) "(defn f [x] (* x 3))"))))

(ert-deftest grove-live-comment-out-process ()
  "Commenting out a live process map stops the process."
  (grove-test-with-cluster grove-test-two-nodes
    (insert "!(node :alpha {:ticker (fn [_] (loop [i 0] (? :tick i) (sleep 50) (recur (inc i))))})\n")
    (should (grove-test-wait (lambda () (>= (length (grove-test-values "tick")) 3))))
    (goto-char (point-min))
    (insert ";; ")
    ;; What was in flight may still come; then nothing.
    (grove-test-pause 0.4)
    (let ((n (length (grove-test-values "tick"))))
      (grove-test-pause 0.6)
      (should (= n (length (grove-test-values "tick")))))
    (should (string-prefix-p ";; !(node :alpha" (buffer-string)))))

(ert-deftest grove-live-two-nodes-and-context ()
  "Values from two nodes both show; `context' keeps out the nodes it does not match."
  (grove-test-with-cluster grove-test-two-nodes
    (insert "!(context {:region :eu} (? :eu (+ 20 1)))\n"
            "!(? :who (:node *node-context*))\n"
            "!(? :done 1)\n")
    (should (grove-test-wait (lambda () (grove-test-has "#_{:alpha 1, :beta 1, :editor 1}"))))
    (should (grove-test-wait (lambda () (grove-test-has "#_{:alpha :alpha, :beta :beta, :editor :editor}"))))
    (should (grove-test-wait (lambda () (grove-test-has "(? :eu (\\+ 20 1) #_{:beta 21})"))))
    (grove-test-pause 0.3)
    (should (equal (grove-test--annotation-of "eu") "#_{:beta 21}"))
    (should-not (cl-some (lambda (m) (equal (alist-get 'node m) "alpha"))
                         (grove-test-values "eu")))))

(ert-deftest grove-live-history-steps ()
  "The history of a query lists its values newest first; stepping shows them inline."
  (grove-test-with-cluster grove-test-two-nodes
    (insert "!(node :alpha {:h (fn [_] (loop [i 0] (? :h (* 10 i)) (sleep 40)"
            " (when (< i 4) (recur (inc i)))))})\n")
    (should (grove-test-wait (lambda () (grove-test-has "#_{:alpha 40}"))))
    (goto-char (point-min))
    (search-forward "(? :h")
    (setq grove--last-edit 0.0)
    (let ((src (current-buffer)))
      (grove-history)
      (let ((hb (get-buffer "*grove-history*")))
        (should hb)
        (with-current-buffer hb
          (should (grove-test-wait (lambda () (= 5 (length tabulated-list-entries)))))
          (should (equal (mapcar (lambda (e) (alist-get 'value (cdr (car e))))
                                 tabulated-list-entries)
                         '("40" "30" "20" "10" "0")))
          (goto-char (point-min))
          (grove-history-show)
          (grove-history-next))
        (should (equal (with-current-buffer src (grove-test--annotation-of "h")) "#_{:alpha 30}"))
        (with-current-buffer hb (grove-history-next))
        (should (equal (with-current-buffer src (grove-test--annotation-of "h")) "#_{:alpha 20}"))
        (with-current-buffer hb (grove-history-previous))
        (should (equal (with-current-buffer src (grove-test--annotation-of "h")) "#_{:alpha 30}"))
        (kill-buffer hb)))))

(ert-deftest grove-live-undo-holds-only-user-edits ()
  "After values arrive, undo steps through the user's edits only."
  (grove-test-with-cluster grove-test-two-nodes
    (buffer-enable-undo)
    (insert "!(? :a (+ 1 2))\n")
    (undo-boundary)
    (should (grove-test-wait (lambda () (grove-test-has "#_{:alpha 3, :beta 3, :editor 3}"))))
    (insert "!(? :b (+ 2 2))\n")
    (undo-boundary)
    (should (grove-test-wait (lambda () (grove-test-has "#_{:alpha 4, :beta 4, :editor 4}"))))
    (should (equal (buffer-string)
                   (concat "!(? :a (+ 1 2) #_{:alpha 3, :beta 3, :editor 3})\n"
                           "!(? :b (+ 2 2) #_{:alpha 4, :beta 4, :editor 4})\n")))
    ;; Two insertions, nothing else that changes text.
    (should (= 2 (cl-count-if (lambda (e) (and (consp e) (integerp (car e)) (integerp (cdr e))))
                              buffer-undo-list)))
    (should-not (cl-some (lambda (e) (and (consp e) (stringp (car e)))) buffer-undo-list))
    (let ((last-command nil)) (undo))
    (should (equal (buffer-string) "!(? :a (+ 1 2) #_{:alpha 3, :beta 3, :editor 3})\n"))
    (let ((last-command 'undo)) (undo))
    (should (equal (buffer-string) ""))))

(ert-deftest grove-live-point-never-moves ()
  "Rewrites keep point on the same character, before and inside the form."
  (grove-test-with-cluster grove-test-two-nodes
    (insert "!(? :p (+ 1 1))\n(def x 1)\n!(? :q (+ 2 2))\n")
    (setq grove--last-edit 0.0)
    ;; Point on the `x' of the def, after the first form.
    (goto-char (point-min))
    (search-forward "(def ")
    (should (eq (char-after) ?x))
    (should (grove-test-wait (lambda () (grove-test-has "#_{:alpha 2, :beta 2, :editor 2}"))))
    (should (eq (char-after) ?x))
    (should (equal (buffer-substring (point) (line-end-position)) "x 1)"))
    ;; Point on the closing paren of the second form, where the values go.
    (should (grove-test-wait (lambda () (grove-test-has "#_{:alpha 4, :beta 4, :editor 4}"))))
    (goto-char (point-max))
    (search-backward "(? :q")
    (let ((open (point)))
      (goto-char (cdr (grove--query-at open)))
      (backward-char)
      (should (eq (char-after) ?\)))
      ;; Change the value so that the annotation is rewritten at point.
      (goto-char open)
      (search-forward "(+ 2 2")
      (delete-char -1)
      (insert "3")
      (goto-char (1- (cdr (grove--query-at open))))
      (setq grove--last-edit 0.0)
      (should (eq (char-after) ?\)))
      (should (grove-test-wait (lambda () (grove-test-has "#_{:alpha 5, :beta 5, :editor 5}"))))
      (should (eq (char-after) ?\)))
      (should (eq (char-before) ?})))))

(ert-deftest grove-live-not-while-typing-in-the-form ()
  "A value for the form being typed in waits until the user pauses."
  (grove-test-with-cluster grove-test-two-nodes
    (let ((grove-rewrite-delay 1.0))
      (insert "!(? :t (+ 3 3) )")
      (backward-char 2)                 ; point inside the form, just typed
      (setq grove--last-edit (float-time))
      (should (grove-test-wait (lambda () (= 3 (length (grove-test-values "t"))))))
      (should (equal (buffer-string) "!(? :t (+ 3 3) )"))
      (should (grove-test-wait (lambda () (grove-test-has "#_{:alpha 6, :beta 6, :editor 6}")) 5))
      (should (equal (buffer-substring (point) (point-max)) " #_{:alpha 6, :beta 6, :editor 6})")))))

(ert-deftest grove-live-error-at-form ()
  "A fault shows at the form that raised it; its trace is in *grove-errors*."
  (grove-test-with-cluster grove-test-two-nodes
    (insert "(defn boom [x] (/ x 0))\n\n!(? :ok 1)\n\n!(? :e (boom 1))\n")
    (let ((form-start (save-excursion (goto-char (point-min)) (search-forward "!(? :e")
                                      (copy-marker (1+ (match-beginning 0)) t))))
      (should (grove-test-wait
               (lambda ()
                 (cl-find-if (lambda (o) (overlay-get o 'grove-error-note))
                             (overlays-in (point-min) (point-max))))))
      (let ((note (cl-find-if (lambda (o) (overlay-get o 'grove-error-note))
                              (overlays-in (point-min) (point-max))))
            (mark (cl-find-if (lambda (o) (eq (overlay-get o 'face) 'grove-error-face))
                              (overlays-in (point-min) (point-max)))))
        (should (= (overlay-start note) form-start))
        (should (string-match-p "Divide by zero" (overlay-get note 'after-string)))
        (should mark)
        (should (>= (overlay-start mark) form-start))
        (should (string-match-p "Divide by zero" (overlay-get mark 'help-echo))))
      (should (grove-test-has "Divide by zero" (get-buffer "*grove-errors*")))
      (should (grove-test-has "user/boom" (get-buffer "*grove-errors*")))
      ;; One key away: grove-show-error shows that entry.
      (goto-char form-start)
      (grove-show-error)
      (with-current-buffer "*grove-errors*"
        (should (looking-at "--- \\[\\(alpha\\|beta\\|editor\\)\\]")))
      ;; Fixing the definition it uses clears the error when it runs again.
      (goto-char (point-min))
      (search-forward "(/ x 0")
      (delete-char -1)
      (insert "1")
      (should (grove-test-wait (lambda () (grove-test-has "(boom 1) #_{:alpha 1, :beta 1, :editor 1})"))))
      (should (grove-test-wait
               (lambda () (not (cl-find-if (lambda (o) (overlay-get o 'grove-error))
                                           (overlays-in (point-min) (point-max))))))))))

(ert-deftest grove-live-output-tagged ()
  "println output from the nodes goes to *grove-output*, tagged by node."
  (grove-test-with-cluster grove-test-two-nodes
    (insert "!(println \"hello from\" (:node *node-context*))\n")
    (should (grove-test-wait
             (lambda () (and (grove-test-has "^\\[alpha\\] hello from :alpha$" (grove--output-buffer))
                             (grove-test-has "^\\[beta\\] hello from :beta$" (grove--output-buffer))))))))

(ert-deftest grove-live-eval-on-node-and-nodes-list ()
  "Eval on a chosen node; the node list shows every node."
  (grove-test-with-cluster grove-test-two-nodes
    (setq grove-last-result nil)
    (grove-eval-on-node "beta" "(+ 40 2)")
    (should (grove-test-wait (lambda () grove-last-result)))
    (should (equal (alist-get 'status grove-last-result) "success"))
    (should (equal (alist-get 'value grove-last-result) "42"))
    (should (equal (alist-get 'node grove-last-result) "beta"))
    ;; The form at point, with an exception: message and trace.
    (insert "(throw (ex-info \"nope\" {:a 1}))")
    (setq grove-last-result nil)
    (grove-eval-on-node "alpha")
    (should (grove-test-wait (lambda () grove-last-result)))
    (should (equal (alist-get 'status grove-last-result) "exception"))
    (should (grove-test-has "nope" (get-buffer "*grove-errors*")))
    (grove-nodes)
    (with-current-buffer "*grove-nodes*"
      (should (grove-test-wait (lambda () (and (grove-test-has "^alpha ") (grove-test-has "^beta ")))))
      (should (grove-test-has ":region :eu")))
    (should (string-match-p "\\` grove\\[[0-9]+\\]\\'" (grove--lighter)))
    (kill-buffer "*grove-nodes*")))

(ert-deftest grove-live-broker-restart-reconnects ()
  "Killing the broker and starting it again reconnects the buffer by itself."
  (grove-test-with-cluster grove-test-two-nodes
    (insert "!(? :w (:node *node-context*))\n")
    (should (grove-test-wait (lambda () (grove-test-has "#_{:alpha :alpha, :beta :beta, :editor :editor}"))))
    (let* ((broker (cl-find-if (lambda (p) (equal (process-name p) "grove-broker"))
                               grove--processes))
           (endpoint (process-get broker 'grove-endpoint)))
      (grove--stop-process broker)
      (grove-test-wait (lambda () (not (process-live-p broker))))
      (should (grove-test-wait (lambda () (not grove--connected)) 20))
      (should (equal (grove--lighter) " grove[-]"))
      (grove--start-broker endpoint)
      (should (grove-test-wait (lambda () grove--connected) 20))
      ;; A node that never saw the program gets it: the buffer pushed it
      ;; again by itself, no edit needed.
      (grove--start-node endpoint "gamma" nil)
      (should (grove-test-wait
               (lambda () (grove-test-has "#_{:alpha :alpha, :beta :beta, :editor :editor, :gamma :gamma}"))
               20)))))

(defun grove-test--type (text)
  "Type TEXT at point one character at a time, letting filters run."
  (dolist (c (string-to-list text))
    (insert (char-to-string c))
    (accept-process-output nil 0.001)))

(ert-deftest grove-live-malformed-typing-never-signals ()
  "Typing broken code char by char never signals, and the buffer stays in sync."
  (grove-test-with-cluster grove-test-two-nodes
    (setq grove--caught-count 0)
    (grove-test--type "(defn g [x] (str \"a(b\" x))\n!(? :g (g 1))\n")
    (should (grove-test-wait (lambda () (grove-test-has "(? :g (g 1) #_{:alpha \"a(b1\", :beta \"a(b1\", :editor \"a(b1\"})"))))
    ;; Garbage typed at the end, then rubbed out again.
    (let ((start (point)))
      (grove-test--type "#_( [ {\"unterminated \\( @#'^`~ ;; (comment\n ))) ]] } \\")
      (while (> (point) start)
        (delete-char -1)
        (accept-process-output nil 0.001)))
    ;; Breaking a definition in the middle, then mending it.
    (goto-char (point-min))
    (search-forward "(str")
    (dotimes (_ 4) (delete-char -1) (accept-process-output nil 0.001))
    (grove-test--type "(str")
    ;; Whole-region edits too: kill a form and yank it back.
    (goto-char (point-min))
    (forward-line 1)
    (let ((line (buffer-substring (point) (line-end-position))))
      (delete-region (point) (line-end-position))
      (accept-process-output nil 0.01)
      (insert line))
    (goto-char (point-max))
    (should (memq #'grove--after-change after-change-functions))
    (should (= 0 grove--caught-count))
    ;; The module's copy is the buffer's text: a value still lands right.
    (grove-test--type "!(? :last (g 7))\n")
    (should (grove-test-wait
             (lambda () (grove-test-has "(? :last (g 7) #_{:alpha \"a(b7\", :beta \"a(b7\", :editor \"a(b7\"})"))))
    (should (= 0 grove--caught-count))))

(ert-deftest grove-live-editor-node-interrupt ()
  "C-g (quit-flag during a slice) stops a runaway loop on the editor node."
  (grove-test-with-cluster grove-test-two-nodes
    (should (grove-test-wait (lambda () (member "editor" (grove-node-ids)))))
    (insert "!(node :editor (? :before 1))\n"
            "!(node :editor (loop [] (recur)))\n"
            "!(node :editor (? :after 2))\n")
    (should (grove-test-wait (lambda () (grove-test-has "(? :before 1 #_{:editor 1})"))))
    ;; The loop runs; Emacs stays responsive (timers fire on time).
    (let* ((fired nil)
           (t0 (float-time)))
      (run-at-time 0.05 nil (lambda () (setq fired (float-time))))
      (grove-test-wait (lambda () fired) 2)
      (should (< (- fired t0) 0.2)))
    (should grove--editor-busy)
    (grove-test-pause 0.3)
    (should-not (grove-test-values "after"))
    ;; C-g arrives while a slice runs: quit-flag is set under inhibit-quit.
    (let ((inhibit-quit t))
      (setq quit-flag t)
      (grove--step)
      (should-not quit-flag))
    (should (grove-test-wait (lambda () (grove-test-has "(? :after 2 #_{:editor 2})"))))
    (should (grove-test-wait (lambda () (grove-test-has "Interrupted" (get-buffer "*grove-errors*")))))))

(ert-deftest grove-live-editor-node-interrupt-command ()
  "`grove-interrupt' (and C-g between slices) stops a runaway loop on the editor node."
  (grove-test-with-cluster grove-test-two-nodes
    (should (grove-test-wait (lambda () (member "editor" (grove-node-ids)))))
    (insert "!(node :editor (loop [] (recur)))\n"
            "!(node :editor (? :after 3))\n")
    (should (grove-test-wait (lambda () grove--editor-busy)))
    (grove-test-pause 0.2)
    (should-not (grove-test-values "after"))
    (let ((this-command 'keyboard-quit))
      (grove--pre-command))
    (should (grove-test-wait (lambda () (grove-test-has "(? :after 3 #_{:editor 3})"))))))

(ert-deftest grove-live-eval-on-editor-node ()
  "Eval on the editor node runs inside Emacs."
  (grove-test-with-cluster grove-test-two-nodes
    (should (grove-test-wait (lambda () (member "editor" (grove-node-ids)))))
    (setq grove-last-result nil)
    (grove-eval-on-node "editor" "(str (:node *node-context*) \"!\")")
    (should (grove-test-wait (lambda () grove-last-result)))
    (should (equal (alist-get 'value grove-last-result) "\":editor!\""))))

(provide 'grove-live-tests)
;;; grove-live-tests.el ends here
