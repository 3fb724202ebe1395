(require '[clojure.string :as str])
(defn wrap [text width]
  (reduce (fn [lines w]
            (let [cur (peek lines)]
              (if (and cur (<= (+ (count cur) 1 (count w)) width))
                (conj (pop lines) (str cur " " w))
                (conj lines w))))
          [] (str/split text #"\s+")))
(doseq [l (wrap "the quick brown fox jumps over the lazy dog and keeps running far away" 16)]
  (println (str "|" l "|")))
