(require '[clojure.string :as str])
(defn justify [words width]
  (let [gaps (dec (count words)) letters (reduce + (map count words))]
    (if (zero? gaps) (first words)
      (let [spaces (- width letters) base (quot spaces gaps) extra (rem spaces gaps)]
        (apply str (concat (mapcat (fn [w i] [w (apply str (repeat (+ base (if (< i extra) 1 0)) " "))]) (butlast words) (range)) [(last words)]))))))
(doseq [line [["this" "is" "an"] ["example" "of" "text"] ["justification."]]] (println (str "|" (justify line 16) "|")))
